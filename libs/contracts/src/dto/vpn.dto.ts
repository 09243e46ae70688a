import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform } from 'class-transformer';
import { IsBoolean, IsOptional, IsString, Matches, MaxLength } from 'class-validator';
import { toFlag } from './page-query.dto';
import { VPN_PEER_NAME_PATTERN, VPN_PEER_NAME_RULE } from '../domain/vpn';

export class CreateVpnPeerDto {
  @ApiPropertyOptional({
    description: `${VPN_PEER_NAME_RULE}; default: the node’s name, or your username and a number`,
    example: 'laptop',
  })
  @IsOptional()
  @IsString()
  @Matches(VPN_PEER_NAME_PATTERN, { message: `name must be ${VPN_PEER_NAME_RULE}` })
  name?: string;

  @ApiPropertyOptional({
    description:
      'your WireGuard public key (`wg genkey | wg pubkey`): the private key stays with you and the config comes without it; omitted: the pool makes the key pair',
  })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  public_key?: string;

  @ApiPropertyOptional({ description: 'a peer for a worker node you own (its name or id)' })
  @IsOptional()
  @IsString()
  @MaxLength(64)
  node?: string;
}

export class VpnPeersQueryDto {
  @ApiPropertyOptional({ description: 'admins: every user’s peers' })
  @IsOptional()
  @Transform(toFlag)
  @IsBoolean()
  all?: boolean;

  @ApiPropertyOptional({ description: 'include revoked peers' })
  @IsOptional()
  @Transform(toFlag)
  @IsBoolean()
  include_revoked?: boolean;
}
