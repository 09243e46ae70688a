import { freePort } from '@hivemind/local-stack';
import { run, type Io } from './program';
import { ExitCode } from './exit-codes';

function capture(): Io & { stdout: () => string; stderr: () => string } {
  let out = '';
  let err = '';
  return {
    out: (t) => (out += t),
    err: (t) => (err += t),
    env: {},
    stdout: () => out,
    stderr: () => err,
  };
}

describe('hivemind CLI', () => {
  it('--help prints usage listing the commands, exit 0', async () => {
    const io = capture();
    expect(await run(['--help'], io)).toBe(ExitCode.Ok);
    expect(io.stdout()).toContain('Usage: hivemind');
    expect(io.stdout()).toContain('status');
  });

  it('an unknown command is a usage error (exit 2) with one line and a suggestion', async () => {
    const io = capture();
    expect(await run(['statsu'], io)).toBe(ExitCode.Usage);
    expect(io.stderr()).toMatch(/unknown command 'statsu'/);
    expect(io.stderr()).toMatch(/Did you mean status\?/);
  });

  it('an unreachable server fails with exit 1 and one clear line', async () => {
    const io = capture();
    const closed = await freePort();
    expect(await run(['--server', `http://127.0.0.1:${closed}`, 'status'], io)).toBe(ExitCode.Failed);
    expect(io.stderr().trim().split('\n')).toHaveLength(1);
    expect(io.stderr()).toContain(`cannot reach the node pool at http://127.0.0.1:${closed} (ECONNREFUSED)`);
  });
});
