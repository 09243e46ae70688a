import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  JoinColumn,
  ManyToOne,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
  type Relation,
} from 'typeorm';
import { DockerStatus, NodeStatus } from '@hivemind/contracts';
import { User } from '../accounts/user.entity';

/**
 * A worker machine. Totals are what it reported at registration; `avail*` and `runningAttempts`
 * are caches of (totals − allocations of its live attempts), rebuilt by the reconciler.
 */
@Entity('nodes')
@Index('uq_nodes_name', ['name'], { unique: true })
@Index('idx_nodes_owner', ['ownerId'])
@Index('idx_nodes_online', ['creditScore', 'runningAttempts'], { where: `status = 'online'` })
@Index('idx_nodes_updated_at', ['updatedAt'])
@Check('chk_nodes_status', `status IN ('online', 'offline', 'draining')`)
@Check('chk_nodes_docker_status', `docker_status IN ('enabled', 'disabled')`)
export class Node {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_nodes' })
  id: string;

  /** The worker's NODE_ID. */
  @Column({ type: 'varchar', length: 64 })
  name: string;

  @Column({ type: 'uuid' })
  ownerId: string;

  @ManyToOne(() => User, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'owner_id', foreignKeyConstraintName: 'fk_nodes_owner' })
  owner?: Relation<User>;

  @Column({ type: 'varchar', length: 255, default: '' })
  hostname: string;

  @Column({ type: 'integer', default: 0 })
  port: number;

  @Column({ type: 'varchar', length: 64, default: '' })
  location: string;

  @Column({ type: 'varchar', length: 16, default: NodeStatus.Offline })
  status: NodeStatus;

  @Column({ type: 'varchar', length: 16, default: DockerStatus.Disabled })
  dockerStatus: DockerStatus;

  /** Honesty: moved only by validated results of other owners' tasks (docs/validation.md). */
  @Column({ type: 'integer', default: 50 })
  creditScore: number;

  /** Consecutive valid results for other owners' tasks; an invalid one resets it. */
  @Column({ type: 'integer', default: 0 })
  validRun: number;

  @Column({ type: 'integer', default: 0 })
  validResults: number;

  @Column({ type: 'integer', default: 0 })
  invalidResults: number;

  /** Reliability: lost attempts and failures the node caused (they lower its placement preference for a while). */
  @Column({ type: 'integer', default: 0 })
  nodeFaults: number;

  /** Claims a task disproved (an OOM kill below the memory the node promised). */
  @Column({ type: 'integer', default: 0 })
  disprovedClaims: number;

  @Column({ type: 'timestamptz', nullable: true })
  lastFaultAt: Date | null;

  @Column({ type: 'varchar', length: 255, nullable: true })
  credentialHash: string | null;

  @Column({ type: 'varchar', length: 32, default: '' })
  agentVersion: string;

  @Column({ type: 'integer', default: 1 })
  maxConcurrent: number;

  @Column({ type: 'integer', default: 0 })
  cpuMillicores: number;

  @Column({ type: 'integer', default: 0 })
  memoryMb: number;

  @Column({ type: 'integer', default: 0 })
  storageMb: number;

  @Column({ type: 'integer', default: 0 })
  cpuScore: number;

  @Column({ type: 'integer', default: 0 })
  gpuScore: number;

  @Column({ type: 'integer', default: 0 })
  gpuMemoryMb: number;

  @Column({ type: 'varchar', length: 128, default: '' })
  gpuName: string;

  @Column({ type: 'integer', default: 0 })
  availCpuMillicores: number;

  @Column({ type: 'integer', default: 0 })
  availMemoryMb: number;

  @Column({ type: 'integer', default: 0 })
  availStorageMb: number;

  @Column({ type: 'integer', default: 0 })
  availCpuScore: number;

  @Column({ type: 'integer', default: 0 })
  availGpuScore: number;

  @Column({ type: 'integer', default: 0 })
  availGpuMemoryMb: number;

  @Column({ type: 'integer', default: 0 })
  runningAttempts: number;

  @Column({ type: 'timestamptz', nullable: true })
  lastHeartbeatAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  /** Stamped by a trigger on every UPDATE: placement reads the nodes changed since (placement-nodes.ts). */
  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
