import { Injectable, computed, signal } from '@angular/core';
import { type ConsoleSessionView } from '@hivemind/contracts';

/**
 * Who is signed in to this worker's console. The session itself is the worker's HttpOnly cookie,
 * which no script reads: this keeps only what the worker answered, in memory, so a reload asks
 * the worker again (GET /api/session).
 */
@Injectable({ providedIn: 'root' })
export class ConsoleSession {
  private readonly state = signal<ConsoleSessionView | null>(null);

  readonly user = this.state.asReadonly();
  readonly signedIn = computed(() => this.state() !== null);

  start(session: ConsoleSessionView): void {
    this.state.set(session);
  }

  end(): void {
    this.state.set(null);
  }
}
