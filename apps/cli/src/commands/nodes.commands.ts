import { type Command } from 'commander';
import { type NodeStatus, type NodeView, type Page } from '@hivemind/contracts';
import { type ApiClient } from '../api/api-client';
import { type Cli } from '../context';
import { CliError } from '../exit-codes';
import { WORKER_HEAD, workerDetailLines, workerRow } from '../output/format';
import { numberParser } from './parsers';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const PAGE = 500;

/** `workers`: the pool's worker nodes; `worker <node>`: one of them, with its standing. */
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

  program
    .command('worker')
    .description('one worker node: resources, trust, validated and invalid results, probation, faults')
    .argument('<worker>', 'the worker node, by name or id')
    .action(async (ref: string) => {
      const node = await findNode(cli.api(), ref, cli.io.signal);
      const out = cli.out;
      if (cli.json) return out.document(node);
      for (const line of workerDetailLines(node, out.c)) out.line(line);
    });
}

/** A node by id (GET /api/nodes/:id), else by name (the list, page by page). */
async function findNode(api: ApiClient, ref: string, signal?: AbortSignal): Promise<NodeView> {
  if (UUID.test(ref)) return api.request<NodeView>('GET', `/api/nodes/${ref}`, { signal });
  let cursor: string | undefined;
  do {
    const page = await api.request<Page<NodeView>>('GET', '/api/nodes', {
      query: { limit: PAGE, cursor },
      signal,
    });
    const node = page.items.find((n) => n.name === ref);
    if (node) return node;
    cursor = page.next_cursor ?? undefined;
  } while (cursor);
  throw new CliError(`no worker named ${ref}`);
}
