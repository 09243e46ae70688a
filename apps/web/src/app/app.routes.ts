import { type Routes } from '@angular/router';

/** One lazily loaded route per page (CONVENTIONS.md §8). */
export const routes: Routes = [
  { path: '', pathMatch: 'full', redirectTo: 'login' },
  {
    path: 'login',
    title: 'Sign in · HiveMind',
    loadComponent: () => import('./pages/login/login.page').then((m) => m.LoginPage),
  },
  { path: '**', redirectTo: 'login' },
];
