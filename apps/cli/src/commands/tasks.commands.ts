import { randomUUID } from 'node:crypto';
import { type Command, Option } from 'commander';
import {
  type Page,
  type QueueView,
  type SubmitTaskResultView,
  type TaskDetailView,
  TaskStatus,
  type TaskView,
} from '@hivemind/contracts';
import { type Cli } from '../context';
import { UsageError } from '../exit-codes';
import {
  ATTEMPT_HEAD,
  CANONICAL_MARK,
  QUEUE_HEAD,
  queueRow,
  queueSummary,
  shardAttemptRows,
  TASK_HEAD,
  taskDetailLines,
  taskRow,
} from '../output/format';
import { transferBar } from '../output/progress';
import { inputSource } from '../transfer/input-source';
import { multipartTaskBody } from '../transfer/multipart';
import { monitorTask } from './monitor.command';
import { envPair, numberParser, secretEnvArg } from './parsers';
import { buildTaskSpec, type TaskOptions } from './task-spec';
import { resolveTaskId } from './task-ref';

interface SubmitOptions extends TaskOptions {
  input?: string;
  follow?: boolean;
  idempotencyKey?: string;
}

/** The options `task` and `dispatch` share; their long names are what argv normalisation maps to. */
function withTaskOptions(command: Command): Command {
  const n = numberParser;
  return command
    .option('--name <name>', 'a name for the task')
    .option('--cpu-cores <cores>', 'CPU cores per shard (default 1)', n({ min: 0 }))
    .option('--mem <gb>', 'memory per shard in GB (default 0.5)', n({ min: 0 }))
    .option('--storage <gb>', 'storage per shard in GB (default 1)', n({ min: 0 }))
    .option('--gpu-cores <n>', 'more than 0: a node with a GPU', n({ min: 0 }))
    .addOption(
      new Option('--gpu-score <n>', 'minimum GPU score').argParser(n({ integer: true, min: 0 })).hideHelp(),
    )
    .addOption(new Option('--gpu-memory <gb>', 'GPU memory in GB').argParser(n({ min: 0 })).hideHelp())
    .addOption(new Option('--gpu-name <name>', 'a GPU model').hideHelp())
    .addOption(
      new Option('--cpu-score <n>', 'minimum CPU score').argParser(n({ integer: true, min: 0 })).hideHelp(),
    )
    .option('--shards <n>', 'run this many shards (default 1)', n({ integer: true, min: 1 }))
    .option('--split <kind>', 'none, data_processing, machine_learning or simulation')
    .option('--split-params <json>', 'e.g. \'{"seed": 42}\' or \'{"grid": {"lr": [0.1, 0.01]}}\'')
    .option('--aggregate <command>', "a final step (sh -c) over every shard's output")
    .option('--priority <n>', '-100 to 100, higher runs first (default 0)', n({ integer: true }))
    .option('--timeout <seconds>', 'per shard (default 3600)', n({ integer: true, min: 1 }))
    .option(
      '--max-attempts <n>',
      'tries per shard when a node fails (default 3)',
      n({ integer: true, min: 1 }),
    )
    .option(
      '--validation <mode>',
      'none, quorum or adaptive (default): how results are checked before they count',
    )
    .option(
      '--quorum <n>',
      'matching results of different owners a shard needs (default 2)',
      n({ integer: true, min: 1 }),
    )
    .option(
      '--max-replicas <n>',
      'most replicas of a shard; the hold covers this many (default 4)',
      n({ integer: true, min: 1 }),
    )
    .option(
      '--validator <command>',
      "groups a shard's results when their digests differ (sh -c; writes groups.json)",
    )
    .option('--location <where>', 'preferred node location')
    .option('--network', 'let the containers reach the network (trusted users)')
    .option('--env <NAME=value>', 'an environment variable (repeatable)', envPair)
    .option(
      '--secret-env <NAME[=value]>',
      'a secret environment variable, shown masked everywhere; NAME alone takes its value from your environment (repeatable)',
      secretEnvArg,
    )
    .option('--command <shell>', 'the command, run with sh -c (or give it after --)')
    .option('--input <zip|folder>', 'the input: a .zip file, or a folder zipped as it is uploaded')
    .option('-f, --follow', 'then follow its log until it ends (as monitor)')
    .addOption(new Option('--idempotency-key <key>', 'a retry with the same key submits once').hideHelp());
}

/** `task`, `dispatch`, `list-tasks`, `task-info`, `cancel`, `queue`. */
export function registerTaskCommands(program: Command, cli: Cli): void {
  withTaskOptions(
    program
      .command('task')
      .description('submit a task; the scheduler picks the worker')
      .argument('[image]', 'Docker image (without one, the --input zip runs in the runtime image)')
      .argument('[command...]', 'the command and its arguments, after --'),
  ).action(async (image: string | undefined, args: string[], o: SubmitOptions) => {
    if (!image && !o.input)
      throw new UsageError(
        "missing required argument 'image' (or --input, a zip to run in the runtime image)",
      );
    await submit(cli, buildTaskSpec(image, args, o, undefined, cli.io.env), o);
  });

  withTaskOptions(
    program
      .command('dispatch')
      .description('admins: submit a task to run on one worker (by name or id)')
      .argument('<worker>', 'the worker node, by name or id')
      .argument('<image>', 'Docker image')
      .argument('[command...]', 'the command and its arguments, after --'),
  ).action(async (worker: string, image: string, args: string[], o: SubmitOptions) => {
    await submit(cli, buildTaskSpec(image, args, o, worker, cli.io.env), o);
  });

  program
    .command('list-tasks')
    .description("your tasks, newest first (admins: --all for everyone's)")
    .argument('[status]', 'queued (or pending), running, completed, failed or cancelled')
    .option('--all', "admins: everyone's tasks")
    .option('--search <text>', 'names containing this')
    .option('--limit <n>', 'at most this many (1-500)', numberParser({ integer: true, min: 1, max: 500 }), 50)
    .action(async (status: string | undefined, o: { all?: boolean; search?: string; limit: number }) => {
      const page = await cli.api().request<Page<TaskView>>('GET', '/api/tasks', {
        query: {
          status: status && taskStatusOf(status),
          all: o.all || undefined,
          search: o.search,
          limit: o.limit,
        },
      });
      const out = cli.out;
      if (cli.json) return out.document(page);
      out.table(
        TASK_HEAD,
        page.items.map((t) => taskRow(t, out.c)),
        status ? `No ${status.toLowerCase()} tasks.` : 'No tasks.',
      );
      if (page.next_cursor) out.line(out.c.dim(`(the newest ${page.items.length}; use --limit for more)`));
    });

  program
    .command('task-info')
    .description("one task: status, cost, validation, and every shard's attempts (replica, result, digest)")
    .argument('<task>', 'task id (or a unique start of one)')
    .action(async (ref: string) => {
      const api = cli.api();
      const id = await resolveTaskId(api, ref, cli.io.signal);
      const task = await api.request<TaskDetailView>('GET', `/api/tasks/${id}`, { signal: cli.io.signal });
      const out = cli.out;
      if (cli.json) return out.document(task);
      for (const line of taskDetailLines(task, out.c)) out.line(line);
      out.line();
      out.table(
        ATTEMPT_HEAD,
        task.shards.flatMap((s) => shardAttemptRows(s, out.c)),
        'No shards yet.',
      );
      if (task.shards.some((s) => s.canonical_attempt_id))
        out.line(
          out.c.dim(`${CANONICAL_MARK} the canonical result: its output and exit code are the shard's`),
        );
    });

  program
    .command('cancel')
    .description('cancel a task: its running attempts stop and the unused CPT comes back')
    .argument('<task>', 'task id (or a unique start of one)')
    .action(async (ref: string) => {
      const api = cli.api();
      const id = await resolveTaskId(api, ref, cli.io.signal);
      const result = await api.request<{ task_id: string; status: string; refunded: number }>(
        'POST',
        `/api/tasks/${id}/cancel`,
      );
      if (cli.json) return cli.out.document(result);
      cli.out.line(`Cancelled task ${result.task_id}; ${result.refunded} CPT refunded.`);
    });

  program
    .command('queue')
    .description('the placement queue: shards waiting for a worker, in order, and why')
    .action(async () => {
      const queue = await cli.api().request<QueueView>('GET', '/api/queue');
      const out = cli.out;
      if (cli.json) return out.document(queue);
      out.line(queueSummary(queue));
      if (queue.head.length)
        out.table(
          QUEUE_HEAD,
          queue.head.map((h) => queueRow(h, out.c)),
          '',
        );
    });
}

/** `running` → RUNNING; the seed's `pending` is QUEUED. */
export function taskStatusOf(text: string): TaskStatus {
  const upper = text.toUpperCase() === 'PENDING' ? 'QUEUED' : text.toUpperCase();
  const states = Object.values(TaskStatus) as string[];
  if (!states.includes(upper))
    throw new UsageError(`unknown status '${text}': one of ${states.map((s) => s.toLowerCase()).join(', ')}`);
  return upper as TaskStatus;
}

async function submit(cli: Cli, spec: ReturnType<typeof buildTaskSpec>, o: SubmitOptions): Promise<void> {
  const api = cli.api();
  const headers = { 'idempotency-key': o.idempotencyKey ?? randomUUID() };
  let result: SubmitTaskResultView;
  if (o.input) {
    const source = await inputSource(o.input);
    const bar = transferBar(cli.io.progress, 'upload', source.size);
    try {
      result = await api.request<SubmitTaskResultView>('POST', '/api/tasks', {
        headers,
        stream: () => multipartTaskBody(spec, source, (sent) => bar.update(sent)),
        signal: cli.io.signal,
      });
    } finally {
      bar.stop();
    }
  } else {
    result = await api.request<SubmitTaskResultView>('POST', '/api/tasks', {
      json: spec,
      headers,
      signal: cli.io.signal,
    });
  }
  const task = result.task;
  if (o.follow) {
    if (!cli.json)
      cli.io.err(`Submitted task ${task.id}; following it (Ctrl-C stops following, not the task).\n`);
    await monitorTask(cli, task.id);
    return;
  }
  const out = cli.out;
  if (cli.json) return out.document(result);
  const shards = `${task.shards_total} shard${task.shards_total === 1 ? '' : 's'}`;
  out.line(
    `${result.created ? 'Submitted' : 'Already submitted'} task ${task.id}${task.name ? ` (${task.name})` : ''}: ` +
      `${task.status.toLowerCase()}, ${shards}, up to ${task.max_cost} CPT held in escrow.`,
  );
  out.line(out.c.dim(`Follow it with: hivemind monitor ${task.id}`));
}
