import { ChangeDetectionStrategy, Component, inject } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatToolbarModule } from '@angular/material/toolbar';
import { Router, RouterLink, RouterLinkActive, RouterOutlet } from '@angular/router';
import { SessionStore } from '../core/session.store';

/** The signed-in layout: the toolbar with the pages and the user, and the page below it. */
@Component({
  selector: 'hm-shell',
  imports: [RouterOutlet, RouterLink, RouterLinkActive, MatToolbarModule, MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-toolbar class="bar">
      <a class="brand" routerLink="/"><span aria-hidden="true">⬡</span> HiveMind</a>
      <nav aria-label="Pages">
        <a mat-button routerLink="/" routerLinkActive="active" [routerLinkActiveOptions]="{ exact: true }"
          >Dashboard</a
        >
        <a mat-button routerLink="/submit" routerLinkActive="active">Submit</a>
        <a mat-button routerLink="/tasks" routerLinkActive="active">Tasks</a>
        <a mat-button routerLink="/nodes" routerLinkActive="active">Nodes</a>
        <a mat-button routerLink="/wallet" routerLinkActive="active">Wallet</a>
        <a mat-button routerLink="/vpn" routerLinkActive="active">VPN</a>
        @if (session.isAdmin()) {
          <a mat-button routerLink="/admin" routerLinkActive="active">Admin</a>
          <a mat-button routerLink="/audit" routerLinkActive="active">Audit</a>
        }
      </nav>
      <span class="spacer"></span>
      <span class="user" data-testid="user">{{ session.user()?.username }}</span>
      <button mat-stroked-button type="button" (click)="signOut()">Sign out</button>
    </mat-toolbar>
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
    }
    .brand span {
      color: var(--hm-accent);
    }
    nav {
      display: flex;
      overflow-x: auto;
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
    .page {
      padding: 1rem;
      max-width: 80rem;
      margin: 0 auto;
    }
  `,
})
export class Shell {
  protected readonly session = inject(SessionStore);
  private readonly router = inject(Router);

  protected signOut(): void {
    this.session.end();
    void this.router.navigateByUrl('/login');
  }
}
