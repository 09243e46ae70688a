import { randomBytes } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import { mkdir, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable, Transform } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { type ReadableStream as WebReadableStream } from 'node:stream/web';
import { type Command } from 'commander';
import { type FileView, formatBytes } from '@hivemind/contracts';
import { interrupted, isAbort } from '../api/errors';
import { type Cli } from '../context';
import { CliError } from '../exit-codes';
import { FILE_HEAD, fileRow } from '../output/format';
import { transferBar } from '../output/progress';
import { extractZip } from '../transfer/extract';
import { numberParser } from './parsers';
import { resolveTaskId } from './task-ref';

/** `files`, `task-files`, `download`. */
export function registerFileCommands(program: Command, cli: Cli): void {
  program
    .command('files')
    .description("your stored files, newest first (admins: another user's)")
    .argument('[user]', "admins: this user's files")
    .option('--limit <n>', 'at most this many (1-500)', numberParser({ integer: true, min: 1, max: 500 }), 50)
    .action(async (user: string | undefined, o: { limit: number }) => {
      const page = await cli
        .api()
        .request<{ items: FileView[]; next_cursor: string | null }>('GET', '/api/files', {
          query: { user, limit: o.limit },
        });
      const out = cli.out;
      if (cli.json) return out.document(page);
      out.table(
        FILE_HEAD,
        page.items.map((f) => fileRow(f, out.c)),
        'No files.',
      );
      if (page.next_cursor) out.line(out.c.dim(`(the newest ${page.items.length}; use --limit for more)`));
    });

  program
    .command('task-files')
    .description("a task's files: its input, outputs and results")
    .argument('<task>', 'task id (or a unique start of one)')
    .action(async (ref: string) => {
      const api = cli.api();
      const id = await resolveTaskId(api, ref, cli.io.signal);
      const answer = await api.request<{ items: FileView[] }>('GET', `/api/tasks/${id}/files`);
      const out = cli.out;
      if (cli.json) return out.document(answer);
      const head = FILE_HEAD.filter((h) => h !== 'TASK');
      const rows = answer.items.map((f) => fileRow(f, out.c).filter((_, i) => FILE_HEAD[i] !== 'TASK'));
      out.table(head, rows, 'No files.');
    });

  program
    .command('download')
    .description("download a task's outputs (one folder per shard) and extract them into <dir>")
    .argument('<task>', 'task id (or a unique start of one)')
    .argument('<dir>', 'the folder to extract into (created if needed)')
    .action(async (ref: string, dir: string) => {
      const api = cli.api();
      const id = await resolveTaskId(api, ref, cli.io.signal);
      const response = await api.send('GET', `/api/tasks/${id}/results`, {
        headers: { accept: 'application/zip' },
        signal: cli.io.signal,
      });
      await mkdir(dir, { recursive: true });
      const zipPath = join(dir, `.hivemind-download-${randomBytes(4).toString('hex')}.zip`);
      const length = Number(response.headers.get('content-length'));
      const bar = transferBar(cli.io.progress, 'download', length > 0 ? length : undefined);
      let received = 0;
      const count = new Transform({
        transform(chunk: Buffer, _encoding, done) {
          received += chunk.length;
          bar.update(received);
          done(null, chunk);
        },
      });
      try {
        if (!response.body) throw new CliError('the node pool sent no results');
        await pipeline(
          Readable.fromWeb(response.body as WebReadableStream<Uint8Array>),
          count,
          createWriteStream(zipPath, { mode: 0o600 }),
          { signal: cli.io.signal },
        );
        bar.stop();
        const result = await extractZip(zipPath, dir);
        const summary = {
          task_id: id,
          dir,
          files: result.files,
          bytes: result.bytes,
          skipped: result.skipped,
        };
        if (cli.json) return cli.out.document(summary);
        cli.out.line(`Extracted ${result.files} file(s), ${formatBytes(result.bytes)}, into ${dir}.`);
        if (result.skipped.length) cli.out.line(`Left out symbolic links: ${result.skipped.join(', ')}`);
      } catch (error) {
        if (isAbort(error)) throw interrupted();
        if (error instanceof CliError) throw error;
        throw new CliError(`download of task ${id} failed: ${(error as Error).message}`);
      } finally {
        bar.stop();
        await rm(zipPath, { force: true });
      }
    });
}
