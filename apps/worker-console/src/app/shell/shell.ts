import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { Router, RouterOutlet } from '@angular/router';
import { ConsoleBar, type NavLink } from '@hivemind/ui';
import { ConsoleSession } from '../core/console-session';
import { poolBanner } from '../core/format';
import { WorkerApi } from '../core/worker-api';
import { WorkerLive } from '../core/worker-live';

/** The seed's three pages (worker-node.md "Web Management Interface"). */
const PAGES: NavLink[] = [
  { path: '/dashboard', label: 'Dashboard' },
  { path: '/tasks', label: 'Tasks' },
  { path: '/monitor', label: 'Monitor' },
];

/** The signed-in layout: the bar with the pages and the user, the pool's banner, the page. */
@Component({
  selector: 'hm-shell',
  imports: [RouterOutlet, ConsoleBar],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <hm-console-bar
      [brand]="live.node()?.node_id ?? 'HiveMind worker'"
      home="/dashboard"
      [links]="pages"
      [user]="session.user()?.username"
      (signOut)="signOut()"
    />
    @if (banner(); as text) {
      <p class="banner" role="status" data-testid="pool-banner">{{ text }}</p>
    }
    @if (live.error(); as message) {
      <p class="banner bad" role="alert" data-testid="worker-error">{{ message }}</p>
    }
    <main class="hm-page"><router-outlet /></main>
  `,
  styles: `
    .banner {
      margin: 0;
      padding: 0.6rem 1rem;
      overflow-wrap: anywhere;
      background: color-mix(in srgb, var(--hm-accent) 14%, var(--hm-surface));
      border-bottom: 1px solid var(--hm-accent);
    }
    .banner.bad {
      background: color-mix(in srgb, var(--hm-danger) 14%, var(--hm-surface));
      border-bottom-color: var(--hm-danger);
    }
  `,
})
export class Shell {
  protected readonly session = inject(ConsoleSession);
  protected readonly live = inject(WorkerLive);
  private readonly api = inject(WorkerApi);
  private readonly router = inject(Router);
  protected readonly pages = PAGES;

  protected readonly banner = computed(() =>
    poolBanner(this.live.node(), this.session.user()?.offline ?? false),
  );

  constructor() {
    this.live.watch().pipe(takeUntilDestroyed()).subscribe();
  }

  protected signOut(): void {
    const leave = () => {
      this.session.end();
      this.live.clear();
      void this.router.navigateByUrl('/login');
    };
    this.api.signOut().subscribe({ next: leave, error: leave });
  }
}
