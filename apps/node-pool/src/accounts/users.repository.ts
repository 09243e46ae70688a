import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { type UserRole } from '@hivemind/contracts';
import { User } from './user.entity';

/** The only code that reads and writes `users`. */
@Injectable()
export class UsersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  private users(manager?: EntityManager) {
    return (manager ?? this.dataSource.manager).getRepository(User);
  }

  findById(id: string, manager?: EntityManager): Promise<User | null> {
    return this.users(manager).findOneBy({ id });
  }

  /** `username` must already be normalized (lower case). */
  findByUsername(username: string, manager?: EntityManager): Promise<User | null> {
    return this.users(manager).findOneBy({ username });
  }

  /** Inserts a user; a taken username surfaces as Postgres error 23505 on uq_users_username. */
  insert(
    values: { username: string; passwordHash: string; role: UserRole },
    manager: EntityManager,
  ): Promise<User> {
    return this.users(manager).save(this.users(manager).create(values));
  }

  async update(
    id: string,
    changes: Partial<Pick<User, 'role' | 'trustScore' | 'disabledAt' | 'passwordHash'>>,
    manager?: EntityManager,
  ): Promise<void> {
    await this.users(manager).update({ id }, changes);
  }

  /** Logout everywhere: every token issued before stops working. */
  async bumpTokenVersion(id: string): Promise<void> {
    await this.users().increment({ id }, 'tokenVersion', 1);
  }

  /** A page of users ordered by username, after `afterUsername` (keyset), optionally filtered. */
  page(options: { limit: number; afterUsername?: string; search?: string }): Promise<User[]> {
    const query = this.users().createQueryBuilder('u').orderBy('u.username', 'ASC').limit(options.limit);
    if (options.afterUsername) query.andWhere('u.username > :after', { after: options.afterUsername });
    if (options.search) {
      query.andWhere(`u.username LIKE :search ESCAPE '\\'`, {
        search: `%${options.search.toLowerCase().replace(/[\\%_]/g, (c) => `\\${c}`)}%`,
      });
    }
    return query.getMany();
  }

  /** Transaction helper for services that change users together with the ledger. */
  transaction<T>(work: (manager: EntityManager) => Promise<T>): Promise<T> {
    return this.dataSource.transaction(work);
  }
}
