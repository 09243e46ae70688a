import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsInt, IsString, Matches, Max, MaxLength, Min } from 'class-validator';
import { USERNAME_PATTERN, USERNAME_RULE, normalizeUsername } from '../domain/accounts';
import { Optional } from './optional';

export class TransferDto {
  @ApiProperty({ description: 'the receiver’s username', example: 'bob' })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? normalizeUsername(value) : value,
  )
  @IsString()
  @Matches(USERNAME_PATTERN, { message: `to must be a username (${USERNAME_RULE})` })
  to!: string;

  @ApiProperty({ description: 'whole CPT, at least 1', example: 25 })
  @IsInt({ message: 'amount must be a whole number of CPT' })
  @Min(1, { message: 'amount must be at least 1 CPT' })
  @Max(Number.MAX_SAFE_INTEGER)
  amount!: number;

  @ApiPropertyOptional({ maxLength: 200 })
  @Optional()
  @IsString()
  @MaxLength(200)
  memo?: string;
}
