// npm run bench:quota — a benchmark, not a test: what the storage quota costs each attempt. In a
// throw-away folder (BENCH_DIR, default under /var/tmp: a WORK_DIR's usual disk, not a tmpfs) it
// makes, mounts, unmounts and deletes workspace file systems back to back, as the attempt runner
// does (WorkspaceQuota.prepare before the input, release after the report), for a few quota sizes,
// then times one accounting walk of a workspace of many small files. Loop mode needs root. It
// writes nothing to the repository: the figures go into docs/BENCHMARKS.md by hand. Outside src/,
// so the shipped worker does not carry it: built on its own (nest build worker-bench).
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { WorkspaceQuota, measureWorkspace } from '../src/execution/workspace-quota.repository';

const RUNS = Number(process.env.BENCH_RUNS ?? 50);
const SIZES_MB = [102, 1024, 102_400];
const WALK_FILES = 10_000;

const ms = (from: bigint) => Number(process.hrtime.bigint() - from) / 1e6;
const percentile = (values: number[], p: number) =>
  values.slice().sort((a, b) => a - b)[Math.min(values.length - 1, Math.floor(values.length * p))];
const fmt = (n: number) => n.toFixed(1).padStart(7);

async function main(): Promise<void> {
  const root = mkdtempSync(join(process.env.BENCH_DIR ?? '/var/tmp', 'hivemind-bench-quota-'));
  try {
    console.log(`${cpus().length} × ${cpus()[0]?.model ?? '?'}; ${RUNS} runs per size; in ${root}`);
    const quota = await WorkspaceQuota.create('loop', root);
    console.log('quota MB   prepare p50    p95   release p50    p95   (ms)');
    for (const mb of SIZES_MB) {
      const prepare: number[] = [];
      const release: number[] = [];
      for (let i = 0; i < RUNS; i++) {
        const ws = join(root, `attempt-${mb}-${i}`, 'ws');
        let started = process.hrtime.bigint();
        await quota.prepare(ws, mb);
        prepare.push(ms(started));
        started = process.hrtime.bigint();
        await quota.release(ws);
        release.push(ms(started));
        rmSync(join(root, `attempt-${mb}-${i}`), { recursive: true });
      }
      console.log(
        `${String(mb).padStart(8)}   ${fmt(percentile(prepare, 0.5))} ${fmt(percentile(prepare, 0.95))}   ${fmt(percentile(release, 0.5))} ${fmt(percentile(release, 0.95))}`,
      );
    }
    const ws = join(root, 'walk');
    for (let d = 0; d < WALK_FILES / 100; d++) {
      mkdirSync(join(ws, `d${d}`), { recursive: true });
      for (let f = 0; f < 100; f++) writeFileSync(join(ws, `d${d}`, `f${f}`), 'x');
    }
    const walks: number[] = [];
    for (let i = 0; i < 10; i++) {
      const started = process.hrtime.bigint();
      await measureWorkspace(ws);
      walks.push(ms(started));
    }
    console.log(
      `accounting walk of ${WALK_FILES} files in ${WALK_FILES / 100} folders: p50 ${fmt(percentile(walks, 0.5))} ms`,
    );
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(`bench failed: ${(error as Error).message}`);
  process.exit(1);
});
