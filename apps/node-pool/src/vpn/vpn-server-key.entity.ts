import { Check, Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** The pool's WireGuard key pair (one row), shared by every node-pool replica. */
@Entity('vpn_server_keys')
@Check('chk_vpn_server_keys_singleton', `id = 1`)
export class VpnServerKey {
  @PrimaryColumn({ type: 'smallint', default: 1, primaryKeyConstraintName: 'pk_vpn_server_keys' })
  id: number;

  @Column({ type: 'varchar', length: 44 })
  publicKey: string;

  @Column({ type: 'text' })
  privateKeyEncrypted: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;
}
