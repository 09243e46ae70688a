import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import { IsEnum, IsInt, IsString, Matches, Max, Min } from 'class-validator';
import { USERNAME_PATTERN, USERNAME_RULE, normalizeUsername } from '../domain/accounts';
import { NodeStatus } from '../domain/states';
import { PageQueryDto } from './page-query.dto';
import { Optional } from './optional';

/** The longest utilization history kept (and so the longest range one can ask for). */
export const NODE_UTILIZATION_MAX_HOURS = 168;

/** GET /api/nodes: nodes by name, optionally filtered. */
export class NodesQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: NodeStatus })
  @Optional()
  @IsEnum(NodeStatus, { message: 'status must be online, offline or draining' })
  status?: NodeStatus;

  @ApiPropertyOptional({ description: 'only the nodes of this user (a username)' })
  @Optional()
  @Transform(({ value }: { value: unknown }) =>
    typeof value === 'string' ? normalizeUsername(value) : value,
  )
  @IsString()
  @Matches(USERNAME_PATTERN, { message: `owner must be a username (${USERNAME_RULE})` })
  owner?: string;
}

/** GET /api/nodes/:id/utilization */
export class NodeUtilizationQueryDto {
  @ApiPropertyOptional({
    minimum: 1,
    maximum: NODE_UTILIZATION_MAX_HOURS,
    default: 24,
    description: 'how far back, in hours; longer ranges come in wider buckets',
  })
  @Optional()
  @Type(() => Number)
  @IsInt({ message: 'hours must be a whole number' })
  @Min(1, { message: 'hours must be at least 1' })
  @Max(NODE_UTILIZATION_MAX_HOURS, {
    message: `hours must be at most ${NODE_UTILIZATION_MAX_HOURS} (history is kept for 7 days)`,
  })
  hours?: number;
}
