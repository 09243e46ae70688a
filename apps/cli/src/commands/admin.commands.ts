import { type Command } from 'commander';
import {
  type NodeView,
  type Page,
  type QueueView,
  type ReconcileReportView,
  type SystemStatusView,
  UserRole,
  type UserView,
} from '@hivemind/contracts';
import { type ApiClient } from '../api/api-client';
import { type Cli } from '../context';
import { CliError } from '../exit-codes';

async function requireAdmin(api: ApiClient, command: string): Promise<void> {
  const me = await api.request<UserView>('GET', '/api/me');
  if (me.role !== UserRole.Admin) throw new CliError(`${command} is for admins; ${me.username} is not one`);
}

/** `internal-state`, `fix-resources`. */
export function registerAdminCommands(program: Command, cli: Cli): void {
  program
    .command('internal-state')
    .description('admins: the whole picture as JSON: pool status, placement queue, workers')
    .action(async () => {
      const api = cli.api();
      await requireAdmin(api, 'internal-state');
      const [system, queue, nodes] = await Promise.all([
        api.request<SystemStatusView>('GET', '/api/system/status'),
        api.request<QueueView>('GET', '/api/queue'),
        api.request<Page<NodeView>>('GET', '/api/nodes', { query: { limit: 500 } }),
      ]);
      cli.out.document({ server: api.server, system, queue, nodes: nodes.items });
    });

  program
    .command('fix-resources')
    .description("admins: rebuild the workers' allocations from live attempts and re-issue lost work")
    .action(async () => {
      const report = await cli.api().request<ReconcileReportView>('POST', '/api/admin/reconcile');
      if (cli.json) return cli.out.document(report);
      cli.out.line(
        `Reconciled: ${report.nodes_fixed} worker(s) fixed, ${report.attempts_lost} attempt(s) lost, ` +
          `${report.attempts_timed_out} timed out, ${report.attempts_redispatched} re-sent, ` +
          `${report.tasks_finalized} task(s) finalized${report.placement_requested ? '; placement pass requested' : ''}.`,
      );
    });
}
