import { normalizeArgv } from './argv';

const LONG = new Set(['name', 'cpu-cores', 'mem', 'storage', 'gpu-cores', 'env', 'json']);

describe(normalizeArgv.name, () => {
  it.each([
    [
      'the seed spellings',
      ['task', 'img', '-name', 'ml', '-cpu_cores', '4.0', '-mem', '8.0', '-gpu_cores', '1'],
      ['task', 'img', '--name', 'ml', '--cpu-cores', '4.0', '--mem', '8.0', '--gpu-cores', '1'],
    ],
    ['underscores after two dashes', ['--cpu_cores', '2'], ['--cpu-cores', '2']],
    ['an = value', ['-cpu_cores=2', '--gpu_cores=1'], ['--cpu-cores=2', '--gpu-cores=1']],
    [
      'the long spellings untouched',
      ['--cpu-cores', '2', '--name', 'x'],
      ['--cpu-cores', '2', '--name', 'x'],
    ],
    [
      'short flags untouched',
      ['-s', 'http://x', '-u', 'bob', '-p', 'pw'],
      ['-s', 'http://x', '-u', 'bob', '-p', 'pw'],
    ],
    ['unknown single-dash words untouched', ['-foo', '-la'], ['-foo', '-la']],
    ['values that look like numbers untouched', ['--priority', '-5'], ['--priority', '-5']],
    [
      'nothing after --',
      ['task', 'img', '-mem', '1', '--', 'sh', '-name', '-mem'],
      ['task', 'img', '--mem', '1', '--', 'sh', '-name', '-mem'],
    ],
  ])('%s', (_what, argv, expected) => {
    expect(normalizeArgv(argv, LONG)).toEqual(expected);
  });
});
