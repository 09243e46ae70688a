import { CliError } from '../exit-codes';

interface HealthBody {
  status: 'ok' | 'error' | 'shutting_down';
  details?: Record<string, { status: string; message?: string }>;
}

export interface StatusResult {
  server: string;
  healthy: boolean;
  components: Record<string, string>;
}

/** `hivemind status`: whether the node pool and its PostgreSQL and Redis are up. */
export async function statusCommand(server: string, fetchImpl: typeof fetch = fetch): Promise<StatusResult> {
  let response: Response;
  try {
    response = await fetchImpl(new URL('/health', server), { signal: AbortSignal.timeout(5000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    const reason = cause?.code ?? cause?.message ?? (error as Error).message;
    throw new CliError(
      `cannot reach the node pool at ${server} (${reason}); is it running? (set --server or HIVEMIND_SERVER)`,
    );
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
