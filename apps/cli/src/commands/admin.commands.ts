import { type Command } from 'commander';
import {
  AUDIT_OUTCOMES,
  type AuditEventView,
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
import { AUDIT_HEAD, auditRow } from '../output/format';
import { numberParser } from './parsers';

async function requireAdmin(api: ApiClient, command: string): Promise<void> {
  const me = await api.request<UserView>('GET', '/api/me');
  if (me.role !== UserRole.Admin) throw new CliError(`${command} is for admins; ${me.username} is not one`);
}

/** `internal-state`, `fix-resources`, `audit`. */
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

  program
    .command('audit')
    .description('admins: the audit trail, newest first: logins, transfers, tasks, admin changes, nodes, VPN')
    .option('--action <action>', 'one action (auth.login) or every one under a prefix (auth, auth.*)')
    .option('--actor <username>', 'only what this user did')
    .option('--outcome <outcome>', `only ${AUDIT_OUTCOMES.join(', ')}`)
    .option('--target <target>', 'only events about a type (task) or one thing (task:<id>)')
    .option('--since <time>', 'only events at or after this ISO 8601 time (2026-05-01T00:00:00Z)')
    .option('--until <time>', 'only events before this ISO 8601 time')
    .option('--limit <n>', 'at most this many (1-500)', numberParser({ integer: true, min: 1, max: 500 }), 50)
    .option('--cursor <cursor>', 'the next page: the cursor printed under the previous one')
    .action(
      async (o: {
        action?: string;
        actor?: string;
        outcome?: string;
        target?: string;
        since?: string;
        until?: string;
        limit: number;
        cursor?: string;
      }) => {
        const page = await cli.api().request<Page<AuditEventView>>('GET', '/api/admin/audit', {
          query: {
            action: o.action,
            actor: o.actor?.toLowerCase(),
            outcome: o.outcome?.toLowerCase(),
            target: o.target,
            since: o.since,
            until: o.until,
            limit: o.limit,
            cursor: o.cursor,
          },
        });
        const out = cli.out;
        if (cli.json) return out.document(page);
        out.table(
          AUDIT_HEAD,
          page.items.map((e) => auditRow(e, out.c)),
          'No audit events.',
        );
        if (page.next_cursor) out.line(out.c.dim(`(more: --cursor ${page.next_cursor})`));
      },
    );
}
