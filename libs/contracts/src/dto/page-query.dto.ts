import { ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MaxLength, Min } from 'class-validator';
import { PAGE_SIZE_MAX } from '../domain/page';
import { Optional } from './optional';

/** Keyset pagination: `cursor` is the opaque `next_cursor` of the previous page. */
export class PageQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: PAGE_SIZE_MAX, default: 50 })
  @Optional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(PAGE_SIZE_MAX)
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @Optional()
  @IsString()
  @MaxLength(512)
  cursor?: string;
}

/** A query-string flag: `true` / `1` are true, anything else false. */
export const toFlag = ({ value }: { value: unknown }): boolean =>
  value === true || value === 'true' || value === '1';
