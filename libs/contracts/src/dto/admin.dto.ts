import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEnum, IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { UserRole } from '../domain/states';
import { PageQueryDto } from './page-query.dto';
import { Optional } from './optional';

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: UserRole })
  @Optional()
  @IsEnum(UserRole, { message: 'role must be user or admin' })
  role?: UserRole;

  @ApiPropertyOptional({ minimum: 0, maximum: 1000 })
  @Optional()
  @IsInt()
  @Min(0)
  @Max(1000)
  trust_score?: number;

  @ApiPropertyOptional()
  @Optional()
  @IsBoolean()
  disabled?: boolean;
}

export class UsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'part of a username' })
  @Optional()
  @IsString()
  @MaxLength(32)
  search?: string;
}
