import { type Routes } from '@angular/router';
import { signedIn } from './core/auth';

/** The seed's worker pages (worker-node.md "Web Management Interface"), one lazily loaded route each. */
export const routes: Routes = [
  {
    path: 'login',
    title: 'Sign in · HiveMind worker',
    loadComponent: () => import('./pages/login/login.page').then((m) => m.LoginPage),
  },
  {
    path: '',
    canActivate: [signedIn],
    loadComponent: () => import('./shell/shell').then((m) => m.Shell),
    children: [
      { path: '', pathMatch: 'full', redirectTo: 'dashboard' },
      {
        path: 'dashboard',
        title: 'Dashboard · HiveMind worker',
        loadComponent: () => import('./pages/dashboard/dashboard.page').then((m) => m.DashboardPage),
      },
      {
        path: 'tasks',
        title: 'Tasks · HiveMind worker',
        loadComponent: () => import('./pages/tasks/tasks.page').then((m) => m.TasksPage),
      },
      {
        path: 'monitor',
        title: 'Monitor · HiveMind worker',
        loadComponent: () => import('./pages/monitor/monitor.page').then((m) => m.MonitorPage),
      },
    ],
  },
  { path: '**', redirectTo: 'dashboard' },
];
