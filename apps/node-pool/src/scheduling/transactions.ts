import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { type DataSource, type EntityManager } from 'typeorm';
import { inTransaction } from '../common/transaction';

/**
 * Opens the scheduling's transactions (retried on a deadlock or a serialization failure), so that
 * the services decide what a transaction does and the repositories hold its SQL, and neither holds
 * the DataSource. Every repository method that writes takes the transaction's manager.
 */
@Injectable()
export class Transactions {
  constructor(@InjectDataSource() private readonly db: DataSource) {}

  run<T>(work: (m: EntityManager) => Promise<T>): Promise<T> {
    return inTransaction(this.db, work);
  }
}
