import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '@hivemind/config';
import { parseWorkerArgs, workerEnvironment } from './config-file';

describe(parseWorkerArgs.name, () => {
  it.each([
    [[], { help: false, version: false }],
    [['--config', 'w.env'], { help: false, version: false, config: 'w.env' }],
    [['--config=w.env', '-h'], { help: true, version: false, config: 'w.env' }],
    [['--version', 'extra'], { help: false, version: true, unknown: 'extra' }],
    [['--config'], { help: false, version: false, unknown: '--config' }],
  ])('%j', (argv, args) => {
    expect(parseWorkerArgs(argv)).toEqual(args);
  });
});

describe(workerEnvironment.name, () => {
  const dir = mkdtempSync(join(tmpdir(), 'worker-config-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = join(dir, 'worker.env');
  writeFileSync(file, 'NODE_ID=from-file\nLOCATION="lab 1"\n');

  it('puts the file under the real environment, which wins', () => {
    expect(
      workerEnvironment({ help: false, version: false, config: file }, { NODE_ID: 'env' }, false),
    ).toEqual({
      env: { NODE_ID: 'env', LOCATION: 'lab 1' },
      file,
    });
  });

  it('reads the default file of the user when it exists, and nothing when it does not', () => {
    const args = { help: false, version: false };
    expect(workerEnvironment(args, { HIVEMIND_CONFIG_DIR: dir }, false).file).toBe(file);
    const elsewhere = { HIVEMIND_CONFIG_DIR: join(dir, 'none') };
    expect(workerEnvironment(args, elsewhere, false)).toEqual({ env: elsewhere });
  });

  it('refuses a named file that cannot be read, saying which', () => {
    const missing = join(dir, 'missing.env');
    expect(() =>
      workerEnvironment({ help: false, version: false }, { HIVEMIND_WORKER_CONFIG: missing }, false),
    ).toThrow(
      new ConfigError([
        `cannot read the configuration file ${missing}: ENOENT: no such file or directory, open '${missing}'`,
      ]),
    );
  });
});
