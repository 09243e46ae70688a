import { type Routes } from '@angular/router';
import { signedIn } from './core/auth';

/** One lazily loaded route per page (CONVENTIONS.md §8); the signed-in pages inside the shell. */
export const routes: Routes = [
  {
    path: 'login',
    title: 'Sign in · HiveMind',
    data: { mode: 'login' },
    loadComponent: () => import('./pages/auth/auth.page').then((m) => m.AuthPage),
  },
  {
    path: 'register',
    title: 'Create an account · HiveMind',
    data: { mode: 'register' },
    loadComponent: () => import('./pages/auth/auth.page').then((m) => m.AuthPage),
  },
  {
    path: '',
    canActivate: [signedIn],
    loadComponent: () => import('./shell/shell').then((m) => m.Shell),
    children: [
      {
        path: '',
        pathMatch: 'full',
        title: 'Dashboard · HiveMind',
        loadComponent: () => import('./pages/dashboard/dashboard.page').then((m) => m.DashboardPage),
      },
    ],
  },
  { path: '**', redirectTo: '' },
];
