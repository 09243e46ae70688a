import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NODE_POOL_NODE_FLAGS, missingNodeFlags } from './node-flags';

const ROOT = join(__dirname, '..', '..', '..');

describe(missingNodeFlags.name, () => {
  it('finds the flags on the command line or in NODE_OPTIONS, in either spelling of the value', () => {
    expect(missingNodeFlags([], '')).toEqual([...NODE_POOL_NODE_FLAGS]);
    expect(missingNodeFlags(['--max-semi-space-size=8'], '')).toEqual([]);
    expect(missingNodeFlags([], '--inspect --max-semi-space-size=16')).toEqual([]); // the operator's own value
    expect(missingNodeFlags(['--max-old-space-size=8'], '')).toEqual(['--max-semi-space-size=8']);
  });
});

describe('NODE_POOL_NODE_FLAGS', () => {
  // the places that start the node pool without TypeScript spell the flags out: they must agree
  it.each([
    ['package.json', 'start:node-pool'],
    ['docker/node-pool.Dockerfile', 'CMD'],
    ['deploy/systemd/hivemind-master.service', 'ExecStart'],
  ])('are in %s (%s)', (file, what) => {
    const line = readFileSync(join(ROOT, file), 'utf8')
      .split('\n')
      .find((l) => l.includes(what) && l.includes('node-pool/src/main.js'));
    expect(line).toBeDefined();
    for (const flag of NODE_POOL_NODE_FLAGS) expect(line).toContain(flag);
  });
});
