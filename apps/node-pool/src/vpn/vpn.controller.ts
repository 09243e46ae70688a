import { Body, Controller, Delete, Get, Header, Ip, Param, Post, Query, Res } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import type { Response } from 'express';
import { type VpnPeerCreatedView, type VpnPeerView, type VpnServerView } from '@hivemind/contracts';
import { CreateVpnPeerDto, VpnPeersQueryDto } from '@hivemind/contracts/dto';
import { type AuthUser } from '../accounts/auth-user';
import { AdminOnly, Authenticated, CurrentUser } from '../accounts/auth.guards';
import { VpnPeerIssuer } from './vpn-peer-issuer.service';
import { VpnService } from './vpn.service';
import { VpnPeerCreatedResponse, VpnPeerListResponse, VpnPeerResponse, VpnServerResponse } from './vpn.views';

const CONF_TYPE = 'text/plain; charset=utf-8';

@ApiTags('vpn')
@Authenticated()
@Controller('api/vpn')
export class VpnController {
  constructor(
    private readonly vpn: VpnService,
    private readonly issuer: VpnPeerIssuer,
  ) {}

  @Get('server')
  @ApiOperation({ summary: 'The VPN: the server’s public key, endpoint, subnet and DNS' })
  @ApiOkResponse({ type: VpnServerResponse })
  server(): Promise<VpnServerView> {
    return this.vpn.server();
  }

  @Get('peers')
  @ApiOperation({ summary: 'Your VPN peers (admins: all=true for everyone’s), newest first' })
  @ApiOkResponse({ type: VpnPeerListResponse })
  async list(@CurrentUser() user: AuthUser, @Query() q: VpnPeersQueryDto): Promise<{ items: VpnPeerView[] }> {
    return { items: await this.vpn.list(user, { all: q.all, includeRevoked: q.include_revoked }) };
  }

  @Post('peers')
  @ApiOperation({
    summary: 'A new peer: the next free address, a key pair (or your public key), and its config',
    description:
      '400 for a malformed public key or name; 429 (with Retry-After) past the peer-creation rate limits per client address and per user; 409 when you hold the most peers your account may (new accounts: VPN_NEW_ACCOUNT_PEERS, established: VPN_MAX_PEERS_PER_USER), the node already has a peer, or no address is left for it (the subnet, or all but its reserve: VPN_RESERVE_PERCENT).',
  })
  @ApiCreatedResponse({ type: VpnPeerCreatedResponse })
  create(
    @CurrentUser() user: AuthUser,
    @Body() body: CreateVpnPeerDto,
    @Ip() address: string,
  ): Promise<VpnPeerCreatedView> {
    return this.issuer.create(
      user,
      { name: body.name, publicKey: body.public_key, node: body.node },
      address,
    );
  }

  @Delete('peers/:id')
  @ApiOperation({ summary: 'Revoke a peer: it leaves the server config, its address is free again' })
  @ApiOkResponse({ type: VpnPeerResponse })
  revoke(@CurrentUser() user: AuthUser, @Param('id') id: string): Promise<VpnPeerView> {
    return this.issuer.revoke(user, id);
  }

  @Get('peers/:id/config')
  @ApiOperation({ summary: 'Download a peer’s config as hivemind-<name>.conf (410 once revoked)' })
  @ApiProduces('text/plain')
  @Header('cache-control', 'no-store')
  async config(
    @CurrentUser() user: AuthUser,
    @Param('id') id: string,
    @Res({ passthrough: true }) res: Response,
  ): Promise<string> {
    const { name, config } = await this.vpn.clientConfig(user, id);
    res.type(CONF_TYPE).attachment(`hivemind-${name}.conf`);
    return config;
  }
}

@ApiTags('vpn')
@AdminOnly()
@Controller('api/admin/vpn')
export class VpnAdminController {
  constructor(private readonly vpn: VpnService) {}

  @Get('server-config')
  @ApiOperation({
    summary:
      'Admins: the server’s wg0.conf with every active peer (for wg-quick, or wg syncconf after wg-quick strip)',
  })
  @ApiProduces('text/plain')
  @Header('cache-control', 'no-store')
  async serverConfig(@Res({ passthrough: true }) res: Response): Promise<string> {
    res.type(CONF_TYPE);
    return this.vpn.serverConfig();
  }
}
