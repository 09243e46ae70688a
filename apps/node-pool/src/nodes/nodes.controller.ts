import { Controller, Get, HttpCode, HttpStatus, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import {
  ApiConflictResponse,
  ApiNotFoundResponse,
  ApiOkResponse,
  ApiOperation,
  ApiParam,
  ApiTags,
} from '@nestjs/swagger';
import {
  PAGE_SIZE_DEFAULT,
  toPage,
  type NodeUtilizationView,
  type NodeView,
  type Page,
} from '@hivemind/contracts';
import { NodeUtilizationQueryDto, NodesQueryDto } from '@hivemind/contracts/dto';
import { DomainError } from '../common/domain-error';
import { AdminOnly, Authenticated } from '../accounts/auth.guards';
import { NodeUtilizationService } from './node-utilization.service';
import {
  NodePageResponse,
  NodeResponse,
  NodeUtilizationResponse,
  toNodeView,
  toUtilizationView,
} from './node.views';
import { NODE_NAME_PATTERN } from './node-registration';
import { NodesService } from './nodes.service';

const nodeId = () =>
  new ParseUUIDPipe({
    exceptionFactory: () => new DomainError('invalid', 'id must be a node id (a UUID)', { field: 'id' }),
  });

/** Worker nodes: every logged-in user may look; admins drain and undrain. */
@ApiTags('nodes')
@Controller('api/nodes')
export class NodesController {
  constructor(
    private readonly nodes: NodesService,
    private readonly utilization: NodeUtilizationService,
  ) {}

  @Get()
  @Authenticated()
  @ApiOperation({ summary: 'Worker nodes, by name' })
  @ApiOkResponse({ type: NodePageResponse })
  async list(@Query() query: NodesQueryDto): Promise<Page<NodeView>> {
    const limit = query.limit ?? PAGE_SIZE_DEFAULT;
    if (query.cursor !== undefined && !NODE_NAME_PATTERN.test(query.cursor)) {
      throw new DomainError('invalid', 'cursor must be the next_cursor of an earlier page', {
        field: 'cursor',
      });
    }
    const nodes = await this.nodes.list({
      limit,
      afterName: query.cursor,
      status: query.status,
      ownerUsername: query.owner,
    });
    const now = Date.now();
    return toPage(
      nodes,
      limit,
      (n) => toNodeView(n, now),
      (n) => n.node.name,
    );
  }

  @Get(':id')
  @Authenticated()
  @ApiOperation({ summary: 'One node: resources, trust, status, latest heartbeat' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: NodeResponse })
  @ApiNotFoundResponse({ description: 'no such node' })
  async get(@Param('id', nodeId()) id: string): Promise<NodeView> {
    return toNodeView(await this.nodes.get(id));
  }

  @Get(':id/utilization')
  @Authenticated()
  @ApiOperation({ summary: 'A node’s CPU, memory and attempts over time (averages per bucket)' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: NodeUtilizationResponse })
  @ApiNotFoundResponse({ description: 'no such node' })
  async history(
    @Param('id', nodeId()) id: string,
    @Query() query: NodeUtilizationQueryDto,
  ): Promise<NodeUtilizationView> {
    return toUtilizationView(await this.utilization.history(id, query.hours ?? 24));
  }

  @Post(':id/drain')
  @HttpCode(HttpStatus.OK)
  @AdminOnly()
  @ApiOperation({ summary: 'Drain a node: it takes no new attempts and finishes those it runs' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: NodeResponse })
  @ApiNotFoundResponse({ description: 'no such node' })
  @ApiConflictResponse({ description: 'the node is offline' })
  async drain(@Param('id', nodeId()) id: string): Promise<NodeView> {
    return toNodeView(await this.nodes.drain(id));
  }

  @Post(':id/revoke')
  @HttpCode(HttpStatus.OK)
  @AdminOnly()
  @ApiOperation({
    summary:
      'Revoke a node: its credential and client certificate stop working at once (its owner may register it again)',
  })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: NodeResponse })
  @ApiNotFoundResponse({ description: 'no such node' })
  async revoke(@Param('id', nodeId()) id: string): Promise<NodeView> {
    return toNodeView(await this.nodes.revoke(id));
  }

  @Post(':id/undrain')
  @HttpCode(HttpStatus.OK)
  @AdminOnly()
  @ApiOperation({ summary: 'Undrain a node: it takes new attempts again' })
  @ApiParam({ name: 'id', format: 'uuid' })
  @ApiOkResponse({ type: NodeResponse })
  @ApiNotFoundResponse({ description: 'no such node' })
  @ApiConflictResponse({ description: 'the node is offline' })
  async undrain(@Param('id', nodeId()) id: string): Promise<NodeView> {
    return toNodeView(await this.nodes.undrain(id));
  }
}
