import { type Command } from 'commander';
import { type TaskDetailView } from '@hivemind/contracts';
import { type Cli } from '../context';
import { CliError, ExitCode } from '../exit-codes';
import { shardBar, type ShardProgress } from '../output/progress';
import { LogPrinter } from '../monitor/log-printer';
import { followTask } from '../monitor/task-follower';
import { resolveTaskId } from './task-ref';

/** `monitor <task>`. */
export function registerMonitorCommand(program: Command, cli: Cli): void {
  program
    .command('monitor')
    .description("print a task's log lines live until it ends; exit 0 when it completed, 1 otherwise")
    .argument('<task>', 'task id (or a unique start of one)')
    .option('--poll', 'poll the REST API instead of following the live telemetry socket')
    .action(async (ref: string, o: { poll?: boolean }) => {
      const id = await resolveTaskId(cli.api(), ref, cli.io.signal);
      await monitorTask(cli, id, { poll: o.poll });
    });
}

/** Follows task `id` to its end (printing its log), then reports; CliError unless it completed. */
export async function monitorTask(cli: Cli, id: string, o: { poll?: boolean } = {}): Promise<TaskDetailView> {
  const api = cli.api();
  const out = cli.out;
  const first = await api.request<TaskDetailView>('GET', `/api/tasks/${id}`, { signal: cli.io.signal });
  const total = first.shards_total;
  let bar: ShardProgress | undefined;
  if (!cli.json && cli.io.progress && total > 1) bar = shardBar(cli.io.progress, total);
  const printer = new LogPrinter((line) => (bar ? bar.log(line) : out.line(line)), out.c, total > 1);
  let final: TaskDetailView;
  try {
    final = await followTask(
      api,
      id,
      {
        onChunk: (chunk) => (cli.json ? undefined : printer.push(chunk)),
        onProgress: (progress) => bar?.update(Math.round((progress / 100) * total), 0),
      },
      { signal: cli.io.signal, noSocket: o.poll },
    );
  } catch (error) {
    bar?.stop();
    if (error instanceof CliError && error.exitCode === ExitCode.Interrupted)
      throw new CliError(
        `stopped following task ${id}; it goes on (cancel it with \`hivemind cancel ${id}\`)`,
        ExitCode.Interrupted,
      );
    throw error;
  }
  if (!cli.json) printer.flush();
  bar?.update(final.shards_completed, final.shards_failed);
  bar?.stop();
  if (cli.json) out.document(final);
  const took =
    final.started_at && final.finished_at
      ? Date.parse(final.finished_at) - Date.parse(final.started_at)
      : null;
  const summary = `task ${id} ${final.status.toLowerCase()}${took !== null ? ` in ${(took / 1000).toFixed(1)}s` : ''}, cost ${final.cost} CPT`;
  if (final.status !== 'COMPLETED') throw new CliError(final.error ? `${summary}: ${final.error}` : summary);
  if (!cli.json) cli.io.err(`${out.c.green('✔')} ${summary}\n`);
  return final;
}
