import { type Command } from 'commander';
import { type NodeStatus, type NodeView, type Page } from '@hivemind/contracts';
import { type Cli } from '../context';
import { WORKER_HEAD, workerRow } from '../output/format';
import { numberParser } from './parsers';

/** `workers`: the pool's worker nodes. */
export function registerNodeCommands(program: Command, cli: Cli): void {
  program
    .command('workers')
    .description('list the worker nodes: status, trust, free and total resources, running tasks')
    .option('--status <status>', 'only online, offline or draining nodes')
    .option(
      '--limit <n>',
      'at most this many (1-500)',
      numberParser({ integer: true, min: 1, max: 500 }),
      100,
    )
    .action(async (o: { status?: NodeStatus; limit: number }) => {
      const page = await cli.api().request<Page<NodeView>>('GET', '/api/nodes', {
        query: { status: o.status?.toLowerCase(), limit: o.limit },
      });
      const out = cli.out;
      if (cli.json) return out.document(page);
      out.table(
        WORKER_HEAD,
        page.items.map((n) => workerRow(n, out.c)),
        'No workers.',
      );
      if (page.next_cursor) out.line(out.c.dim(`(the first ${page.items.length}; use --limit for more)`));
    });
}
