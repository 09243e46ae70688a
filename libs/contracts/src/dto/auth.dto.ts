import { ApiProperty } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsString, MaxLength, MinLength } from 'class-validator';
import { PASSWORD_MAX_LENGTH } from '../domain/accounts';

/** Login takes any strings (the rules of the day may differ from those at registration). */
export class LoginDto {
  @ApiProperty({ example: 'alice' })
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? value.trim().toLowerCase() : value,
  )
  @IsString()
  @MinLength(1, { message: 'username is required' })
  @MaxLength(64)
  username!: string;

  @ApiProperty({ example: 'correct-horse-battery-staple' })
  @IsString()
  @MinLength(1, { message: 'password is required' })
  @MaxLength(PASSWORD_MAX_LENGTH)
  password!: string;
}

export class RefreshDto {
  @ApiProperty({ description: 'the refresh_token of a login or an earlier refresh' })
  @IsString()
  @MinLength(1, { message: 'refresh_token is required' })
  @MaxLength(4096)
  refresh_token!: string;
}
