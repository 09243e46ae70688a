import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsString, Matches, MaxLength } from 'class-validator';
import { toFlag } from './page-query.dto';
import { VPN_PEER_NAME_PATTERN, VPN_PEER_NAME_RULE } from '../domain/vpn';
import { Optional } from './optional';

export class CreateVpnPeerDto {
  @ApiPropertyOptional({
    description: `${VPN_PEER_NAME_RULE}; default: the node’s name, or your username and a number`,
    example: 'laptop',
  })
  @Optional()
  @IsString()
  @Matches(VPN_PEER_NAME_PATTERN, { message: `name must be ${VPN_PEER_NAME_RULE}` })
  name?: string;

  @ApiPropertyOptional({
    description:
      'your WireGuard public key (`wg genkey | wg pubkey`): the private key stays with you and the config comes without it; omitted: the pool makes the key pair',
  })
  @Optional()
  @IsString()
  @MaxLength(64)
  public_key?: string;

  @ApiPropertyOptional({ description: 'a peer for a worker node you own (its name or id)' })
  @Optional()
  @IsString()
  @MaxLength(64)
  node?: string;
}

export class VpnPeersQueryDto {
  @ApiPropertyOptional({ description: 'admins: every user’s peers' })
  @Optional()
  @Transform(toFlag)
  @IsBoolean()
  all?: boolean;

  @ApiPropertyOptional({ description: 'include revoked peers' })
  @Optional()
  @Transform(toFlag)
  @IsBoolean()
  include_revoked?: boolean;
}
