import { ChangeDetectionStrategy, Component, computed, inject } from '@angular/core';
import { Router, RouterOutlet } from '@angular/router';
import { ConsoleBar, type NavLink } from '@hivemind/ui';
import { SessionStore } from '../core/session.store';

const PAGES: NavLink[] = [
  { path: '/', label: 'Dashboard', exact: true },
  { path: '/submit', label: 'Submit' },
  { path: '/tasks', label: 'Tasks' },
  { path: '/nodes', label: 'Nodes' },
  { path: '/wallet', label: 'Wallet' },
  { path: '/vpn', label: 'VPN' },
];
const ADMIN_PAGES: NavLink[] = [
  { path: '/admin', label: 'Admin' },
  { path: '/audit', label: 'Audit' },
];

/** The signed-in layout: the toolbar with the pages and the user, and the page below it. */
@Component({
  selector: 'hm-shell',
  imports: [RouterOutlet, ConsoleBar],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: `
    <hm-console-bar
      brand="HiveMind"
      [links]="links()"
      [user]="session.user()?.username"
      (signOut)="signOut()"
    />
    <main class="hm-page"><router-outlet /></main>
  `,
})
export class Shell {
  protected readonly session = inject(SessionStore);
  private readonly router = inject(Router);
  protected readonly links = computed(() => (this.session.isAdmin() ? [...PAGES, ...ADMIN_PAGES] : PAGES));

  protected signOut(): void {
    this.session.end();
    void this.router.navigateByUrl('/login');
  }
}
