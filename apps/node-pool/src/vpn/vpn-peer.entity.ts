import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  type Relation,
} from 'typeorm';
import { User } from '../accounts/user.entity';
import { Node } from '../nodes/node.entity';

/** A WireGuard client of the pool's network: a user's device or a worker node. */
@Entity('vpn_peers')
@Index('uq_vpn_peers_address_active', ['address'], { unique: true, where: 'revoked_at IS NULL' })
@Index('uq_vpn_peers_public_key_active', ['publicKey'], { unique: true, where: 'revoked_at IS NULL' })
@Index('idx_vpn_peers_user', ['userId'], { where: 'user_id IS NOT NULL' })
@Index('idx_vpn_peers_node', ['nodeId'], { where: 'node_id IS NOT NULL' })
@Check('chk_vpn_peers_owner', `user_id IS NOT NULL OR node_id IS NOT NULL`)
export class VpnPeer {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_vpn_peers' })
  id: string;

  @Column({ type: 'uuid', nullable: true })
  userId: string | null;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'user_id', foreignKeyConstraintName: 'fk_vpn_peers_user' })
  user?: Relation<User>;

  @Column({ type: 'uuid', nullable: true })
  nodeId: string | null;

  @ManyToOne(() => Node, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'node_id', foreignKeyConstraintName: 'fk_vpn_peers_node' })
  node?: Relation<Node>;

  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'inet' })
  address: string;

  @Column({ type: 'varchar', length: 44 })
  publicKey: string;

  /** Only when the pool generated the key pair; a client-supplied public key has none here. */
  @Column({ type: 'text', nullable: true })
  privateKeyEncrypted: string | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @Column({ type: 'timestamptz', nullable: true })
  revokedAt: Date | null;
}
