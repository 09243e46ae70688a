import { ChangeDetectionStrategy, Component, input, output } from '@angular/core';
import { MatButtonModule } from '@angular/material/button';
import { MatToolbarModule } from '@angular/material/toolbar';
import { RouterLink, RouterLinkActive } from '@angular/router';

/** One page of a console's navigation. */
export interface NavLink {
  path: string;
  label: string;
  /** Active only on this very path (the master console's dashboard is `/`). */
  exact?: boolean;
}

/** A console's top bar: its name (a link home), the pages, who is signed in, and Sign out. */
@Component({
  selector: 'hm-console-bar',
  imports: [RouterLink, RouterLinkActive, MatToolbarModule, MatButtonModule],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <mat-toolbar class="bar">
      <a class="brand" [routerLink]="home()"><span aria-hidden="true">⬡</span> {{ brand() }}</a>
      <nav aria-label="Pages">
        @for (link of links(); track link.path) {
          <a
            mat-button
            [routerLink]="link.path"
            routerLinkActive="active"
            [routerLinkActiveOptions]="{ exact: link.exact ?? false }"
            >{{ link.label }}</a
          >
        }
      </nav>
      <span class="spacer"></span>
      <span class="user" data-testid="user">{{ user() }}</span>
      <button mat-stroked-button type="button" (click)="signOut.emit()">Sign out</button>
    </mat-toolbar>
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
  `,
})
export class ConsoleBar {
  readonly brand = input.required<string>();
  readonly home = input('/');
  readonly links = input.required<readonly NavLink[]>();
  readonly user = input<string | undefined>('');
  readonly signOut = output();
}
