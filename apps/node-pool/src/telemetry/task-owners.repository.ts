import { Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';

/** Reads who owns a task, to check a log subscription (the only query telemetry makes). */
@Injectable()
export class TaskOwnersRepository {
  constructor(@InjectDataSource() private readonly dataSource: DataSource) {}

  /** The owner's user id; null when there is no such task. `taskId` must be a UUID. */
  async ownerOf(taskId: string): Promise<string | null> {
    const rows: { user_id: string }[] = await this.dataSource.query(
      'SELECT user_id FROM tasks WHERE id = $1',
      [taskId],
    );
    return rows[0]?.user_id ?? null;
  }
}
