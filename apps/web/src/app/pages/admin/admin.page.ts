import { ChangeDetectionStrategy, Component } from '@angular/core';
import { QueueCard } from './queue-card';
import { ReconcilerCard } from './reconciler-card';
import { UsersCard } from './users-card';

/** Admins: the users (role, trust, access), the placement queue and Bull Board, the reconciler. */
@Component({
  selector: 'hm-admin-page',
  imports: [UsersCard, QueueCard, ReconcilerCard],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <h1>Admin</h1>
    <hm-users-card />
    <div class="cards">
      <hm-queue-card />
      <hm-reconciler-card />
    </div>
  `,
  styles: `
    .cards {
      display: grid;
      gap: 1rem;
      margin-top: 1rem;
      grid-template-columns: repeat(auto-fit, minmax(min(22rem, 100%), 1fr));
      align-items: start;
    }
  `,
})
export class AdminPage {}
