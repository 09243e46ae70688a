import { type Routes } from '@angular/router';
import { adminOnly, signedIn } from './core/auth';

/** One lazily loaded route per page (docs/conventions.md); the signed-in pages inside the shell. */
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
      {
        path: 'submit',
        title: 'Submit a task · HiveMind',
        loadComponent: () => import('./pages/submit/submit.page').then((m) => m.SubmitPage),
      },
      {
        path: 'tasks',
        title: 'Tasks · HiveMind',
        loadComponent: () => import('./pages/tasks/tasks.page').then((m) => m.TasksPage),
      },
      {
        path: 'tasks/:id',
        title: 'Task · HiveMind',
        loadComponent: () => import('./pages/task/task.page').then((m) => m.TaskPage),
      },
      {
        path: 'nodes',
        title: 'Nodes · HiveMind',
        loadComponent: () => import('./pages/nodes/nodes.page').then((m) => m.NodesPage),
      },
      {
        path: 'nodes/:id',
        title: 'Node · HiveMind',
        loadComponent: () => import('./pages/node/node.page').then((m) => m.NodePage),
      },
      {
        path: 'wallet',
        title: 'Wallet · HiveMind',
        loadComponent: () => import('./pages/wallet/wallet.page').then((m) => m.WalletPage),
      },
      {
        path: 'vpn',
        title: 'VPN · HiveMind',
        loadComponent: () => import('./pages/vpn/vpn.page').then((m) => m.VpnPage),
      },
      {
        path: 'admin',
        title: 'Admin · HiveMind',
        canActivate: [adminOnly],
        loadComponent: () => import('./pages/admin/admin.page').then((m) => m.AdminPage),
      },
      {
        path: 'audit',
        title: 'Audit · HiveMind',
        canActivate: [adminOnly],
        loadComponent: () => import('./pages/audit/audit.page').then((m) => m.AuditPage),
      },
    ],
  },
  { path: '**', redirectTo: '' },
];
