import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { takeUntilDestroyed } from '@angular/core/rxjs-interop';
import { MatButtonModule } from '@angular/material/button';
import { MatToolbarModule } from '@angular/material/toolbar';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { ConsoleSession } from '../core/console-session';
import { poolBanner } from '../core/format';
import { WorkerApi } from '../core/worker-api';
import { WorkerLive } from '../core/worker-live';

/** The signed-in layout: the toolbar with the pages and the user, the pool's banner, the page. */
@Component({
  selector: 'hm-shell',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, MatToolbarModule, MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-toolbar class="bar">
      <a class="brand" routerLink="/dashboard"
        ><span aria-hidden="true">⬡</span> {{ live.node()?.node_id ?? 'HiveMind worker' }}</a
      >
      <nav aria-label="Pages">
        <a mat-button routerLink="/dashboard" routerLinkActive="active">Dashboard</a>
        <a mat-button routerLink="/tasks" routerLinkActive="active">Tasks</a>
        <a mat-button routerLink="/monitor" routerLinkActive="active">Monitor</a>
      </nav>
      <span class="spacer"></span>
      <span class="user" data-testid="user">{{ session.user()?.username }}</span>
      <button mat-stroked-button type="button" (click)="signOut()">Sign out</button>
    </mat-toolbar>
    @if (banner(); as text) {
      <p class="banner" role="status" data-testid="pool-banner">{{ text }}</p>
    }
    @if (live.error(); as message) {
      <p class="banner bad" role="alert" data-testid="worker-error">{{ message }}</p>
    }
    <main class="page"><router-outlet /></main>
  `,
  styles: `
    .bar {
      gap: 0.5rem;
      flex-wrap: wrap;
      height: auto;
      min-height: 64px;
    }
    .brand {
      color: inherit;
      text-decoration: none;
      font-weight: 600;
      margin-right: 1rem;
      overflow-wrap: anywhere;
    }
    .brand span {
      color: var(--hm-accent);
    }
    nav {
      display: flex;
      flex-wrap: wrap;
      max-width: 100%;
    }
    .spacer {
      flex: 1;
    }
    .user {
      color: var(--hm-muted);
      font-size: 0.9rem;
    }
    .active {
      color: var(--hm-accent);
    }
    .banner {
      margin: 0;
      padding: 0.6rem 1rem;
      background: color-mix(in srgb, var(--hm-accent) 14%, var(--hm-surface));
      border-bottom: 1px solid var(--hm-accent);
    }
    .banner.bad {
      background: color-mix(in srgb, var(--hm-danger) 14%, var(--hm-surface));
      border-bottom-color: var(--hm-danger);
    }
    .page {
      padding: 1rem;
      max-width: 80rem;
      margin: 0 auto;
    }
  `,
})
export class Shell {
  protected readonly session = inject(ConsoleSession);
  protected readonly live = inject(WorkerLive);
  private readonly api = inject(WorkerApi);
  private readonly router = inject(Router);

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
