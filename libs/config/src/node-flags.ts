/**
 * The Node flags the node pool is started with, wherever it is started: `npm run up` and the
 * benchmarks pass these; package.json's `start:node-pool`, docker/node-pool.Dockerfile and
 * deploy/systemd/hivemind-master.service spell them out (a test checks they match). V8 sizes its
 * young generation only at start-up: by default it grows to 128 MB (two 64 MB semi-spaces) under a
 * steady flow of heartbeats, a third of a replica's memory at 20,000 nodes; 8 MB semi-spaces keep
 * it to 16 MB, for no more CPU per heartbeat (docs/BENCHMARKS.md "Bounded memory").
 */
export const NODE_POOL_NODE_FLAGS = ['--max-semi-space-size=8'] as const;

/** The NODE_POOL_NODE_FLAGS this process was not started with (execArgv or NODE_OPTIONS). */
export function missingNodeFlags(
  execArgv: readonly string[] = process.execArgv,
  nodeOptions: string = process.env.NODE_OPTIONS ?? '',
): string[] {
  const given = [...execArgv, ...nodeOptions.split(/\s+/)];
  return NODE_POOL_NODE_FLAGS.filter((flag) => {
    const name = flag.split('=')[0];
    return !given.some((arg) => arg === name || arg.startsWith(`${name}=`));
  });
}
