import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, Matches, MaxLength, MinLength } from 'class-validator';
import {
  PASSWORD_MAX_LENGTH,
  PASSWORD_MIN_LENGTH,
  USERNAME_PATTERN,
  USERNAME_RULE,
  normalizeUsername,
} from '../domain/accounts';

/** Body of register and login (REST) and the seed's LoginRequest / RegisterRequest fields. */
export class CredentialsDto {
  /** Case-insensitive; stored and compared in lower case. */
  @ApiProperty({ example: 'alice', description: USERNAME_RULE })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? normalizeUsername(value) : value,
  )
  @IsString()
  @Matches(USERNAME_PATTERN, { message: `username must be ${USERNAME_RULE}` })
  username!: string;

  @ApiProperty({ example: 'correct-horse-battery-staple', minLength: PASSWORD_MIN_LENGTH })
  @IsString()
  @MinLength(PASSWORD_MIN_LENGTH, { message: `password must be at least ${PASSWORD_MIN_LENGTH} characters` })
  @MaxLength(PASSWORD_MAX_LENGTH, { message: `password must be at most ${PASSWORD_MAX_LENGTH} characters` })
  password!: string;
}
