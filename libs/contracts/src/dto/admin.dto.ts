import { ApiPropertyOptional } from '@nestjs/swagger';
import { IsBoolean, IsEnum, IsInt, IsOptional, IsString, Max, MaxLength, Min } from 'class-validator';
import { UserRole } from '../domain/states';
import { PageQueryDto } from './page-query.dto';

export class UpdateUserDto {
  @ApiPropertyOptional({ enum: UserRole })
  @IsOptional()
  @IsEnum(UserRole, { message: 'role must be user or admin' })
  role?: UserRole;

  @ApiPropertyOptional({ minimum: 0, maximum: 1000 })
  @IsOptional()
  @IsInt()
  @Min(0)
  @Max(1000)
  trust_score?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsBoolean()
  disabled?: boolean;
}

export class UsersQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ description: 'part of a username' })
  @IsOptional()
  @IsString()
  @MaxLength(32)
  search?: string;
}
