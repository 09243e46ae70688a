import { Column, Entity, JoinColumn, ManyToOne, PrimaryColumn, type Relation } from 'typeorm';
import { Node } from './node.entity';

/** One downsampled bucket of a node's heartbeats, for the console's utilization charts. */
@Entity('node_utilization')
export class NodeUtilization {
  @PrimaryColumn({ type: 'uuid', primaryKeyConstraintName: 'pk_node_utilization' })
  nodeId: string;

  @ManyToOne(() => Node, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'node_id', foreignKeyConstraintName: 'fk_node_utilization_node' })
  node?: Relation<Node>;

  @PrimaryColumn({ type: 'timestamptz', primaryKeyConstraintName: 'pk_node_utilization' })
  bucket: Date;

  @Column({ type: 'real' })
  cpuPercent: number;

  @Column({ type: 'real' })
  memoryPercent: number;

  @Column({ type: 'integer' })
  runningAttempts: number;

  @Column({ type: 'integer', default: 1 })
  samples: number;
}
