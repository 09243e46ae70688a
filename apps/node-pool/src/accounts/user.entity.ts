import {
  Check,
  Column,
  CreateDateColumn,
  Entity,
  Index,
  PrimaryGeneratedColumn,
  UpdateDateColumn,
} from 'typeorm';
import { UserRole } from '@hivemind/contracts';

@Entity('users')
@Index('uq_users_username', ['username'], { unique: true })
@Check('chk_users_role', `role IN ('user', 'admin')`)
@Check('chk_users_username_lower', `username = lower(username)`)
export class User {
  @PrimaryGeneratedColumn('uuid', { primaryKeyConstraintName: 'pk_users' })
  id: string;

  /** Lower case; uniqueness is therefore case-insensitive. */
  @Column({ type: 'varchar', length: 32 })
  username: string;

  @Column({ type: 'varchar', length: 255 })
  passwordHash: string;

  @Column({ type: 'varchar', length: 16, default: UserRole.User })
  role: UserRole;

  @Column({ type: 'integer', default: 50 })
  trustScore: number;

  /** Bumped to revoke every token issued before (logout everywhere, disable). */
  @Column({ type: 'integer', default: 0 })
  tokenVersion: number;

  @Column({ type: 'timestamptz', nullable: true })
  disabledAt: Date | null;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt: Date;

  @UpdateDateColumn({ type: 'timestamptz' })
  updatedAt: Date;
}
