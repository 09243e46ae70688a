import { ApiProperty } from '@nestjs/swagger';
import { type VpnPeerCreatedView, type VpnPeerView, type VpnServerView } from '@hivemind/contracts';

export class VpnPeerResponse implements VpnPeerView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ example: 'laptop' }) name!: string;
  @ApiProperty({ example: '10.128.0.2' }) address!: string;
  @ApiProperty({ description: 'the peer’s WireGuard public key (base64)' }) public_key!: string;
  @ApiProperty({ description: 'the username the peer belongs to' }) owner!: string;
  @ApiProperty({ type: String, nullable: true, format: 'uuid' }) node_id!: string | null;
  @ApiProperty({ type: String, nullable: true }) node_name!: string | null;
  @ApiProperty({
    enum: ['pool', 'client'],
    description: 'pool: the pool made the key pair; client: the private key never left the client',
  })
  key_source!: 'pool' | 'client';
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ type: String, nullable: true, format: 'date-time' }) revoked_at!: string | null;
}

export class VpnPeerCreatedResponse implements VpnPeerCreatedView {
  @ApiProperty({ type: VpnPeerResponse }) peer!: VpnPeerResponse;
  @ApiProperty({ description: 'the wg-quick config (no PrivateKey line when you sent your public key)' })
  config!: string;
}

export class VpnPeerListResponse {
  @ApiProperty({ type: [VpnPeerResponse] }) items!: VpnPeerResponse[];
}

export class VpnServerResponse implements VpnServerView {
  @ApiProperty() public_key!: string;
  @ApiProperty({ example: 'vpn.example.org:51820' }) endpoint!: string;
  @ApiProperty({ example: '10.128.0.0/16' }) subnet!: string;
  @ApiProperty({ example: '10.128.0.1' }) address!: string;
  @ApiProperty({ type: [String] }) dns!: string[];
  @ApiProperty({ type: [String] }) allowed_ips!: string[];
}
