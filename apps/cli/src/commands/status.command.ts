import { type Command } from 'commander';
import { type SystemStatusView } from '@hivemind/contracts';
import { unreachable } from '../api/errors';
import { type Cli } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { systemStatusLines } from '../output/format';

interface HealthBody {
  status: 'ok' | 'error' | 'shutting_down';
  details?: Record<string, { status: string; message?: string }>;
}

export interface StatusResult {
  server: string;
  healthy: boolean;
  components: Record<string, string>;
  /** GET /api/system/status, when logged in. */
  pool?: SystemStatusView;
}

/** `hivemind status`: whether the node pool and its PostgreSQL and Redis are up. */
export async function statusCommand(server: string, fetchImpl: typeof fetch = fetch): Promise<StatusResult> {
  let response: Response;
  try {
    response = await fetchImpl(new URL('/health', server), { signal: AbortSignal.timeout(5000) });
  } catch (error) {
    throw unreachable(server, error);
  }
  let body: HealthBody;
  try {
    body = (await response.json()) as HealthBody;
  } catch {
    throw new CliError(
      `${server} answered ${response.status} without a health report: is it a HiveMind node pool?`,
    );
  }
  const components = Object.fromEntries(
    Object.entries(body.details ?? {}).map(([name, detail]) => [
      name,
      detail.message ? `${detail.status} (${detail.message})` : detail.status,
    ]),
  );
  return { server, healthy: response.ok && body.status === 'ok', components };
}

export function formatStatus(result: StatusResult): string {
  const lines = [`Node pool ${result.server}: ${result.healthy ? 'healthy' : 'UNHEALTHY'}`];
  for (const [name, state] of Object.entries(result.components)) lines.push(`  ${name.padEnd(10)} ${state}`);
  return lines.join('\n');
}

export function registerStatusCommand(program: Command, cli: Cli): void {
  program
    .command('status')
    .description(
      'whether the node pool, its PostgreSQL and Redis are up; logged in: its workers, tasks and queue',
    )
    .action(async () => {
      const api = cli.api();
      const result = await statusCommand(api.server, cli.io.fetch);
      const loggedIn = !!cli.store.get(api.server);
      if (loggedIn && result.healthy)
        result.pool = await api.request<SystemStatusView>('GET', '/api/system/status');
      const out = cli.out;
      if (cli.json) out.document(result);
      else {
        out.line(formatStatus(result));
        if (result.pool) for (const line of systemStatusLines(result.pool, out.c)) out.line(line);
        else if (!loggedIn)
          out.line(out.c.dim('Log in (hivemind login) to see its workers, tasks and queue.'));
      }
      if (!result.healthy) throw new CliError('', ExitCode.Failed);
    });
}
