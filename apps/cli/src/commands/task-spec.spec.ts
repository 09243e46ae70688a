import { UsageError } from '../exit-codes';
import { buildTaskSpec } from './task-spec';
import { carriesSecretValue, envPair, numberParser, secretEnvArg } from './parsers';

describe(buildTaskSpec.name, () => {
  it('maps every flag to the API field', () => {
    expect(
      buildTaskSpec('busybox:latest', [], {
        name: 'ml',
        cpuCores: 4,
        mem: 8,
        storage: 2,
        gpuCores: 1,
        shards: 3,
        split: 'simulation',
        splitParams: '{"seed": 42}',
        priority: 5,
        timeout: 60,
        maxAttempts: 2,
        validation: 'Quorum',
        quorum: 3,
        maxReplicas: 5,
        validator: 'python compare.py',
        env: ['A=1', 'B=x=y'],
        command: 'echo hi',
        network: true,
      }),
    ).toEqual({
      name: 'ml',
      image: 'busybox:latest',
      command: ['sh', '-c', 'echo hi'],
      env: { A: '1', B: 'x=y' },
      cpu_cores: 4,
      memory_gb: 8,
      storage_gb: 2,
      gpu_score: 1,
      shards: 3,
      split: 'simulation',
      split_params: { seed: 42 },
      priority: 5,
      timeout_s: 60,
      max_attempts: 2,
      validation: 'quorum',
      quorum: 3,
      max_replicas: 5,
      validator_command: ['sh', '-c', 'python compare.py'],
      network_allowed: true,
    });
  });

  it('leaves out what was not given; the words after -- are the command; dispatch names the node', () => {
    expect(buildTaskSpec('img', ['sh', '-c', 'echo "a b"'], {}, 'worker-1')).toEqual({
      image: 'img',
      command: ['sh', '-c', 'echo "a b"'],
      target_node: 'worker-1',
    });
    expect(buildTaskSpec(undefined, [], { gpuCores: 0 })).toEqual({});
  });

  it.each([
    [[], { split: 'nope' }, /--split must be one of none, data_processing/],
    [[], { splitParams: '[1]' }, /--split-params must be a JSON object/],
    [[], { splitParams: '{' }, /--split-params must be JSON/],
    [[], { validation: 'majority' }, /--validation must be one of none, quorum, adaptive/],
    [['ls'], { command: 'ls' }, /either with --command or after --/],
  ])('refuses %j %j', (args, options, message) => {
    expect(() => buildTaskSpec('img', args, options)).toThrow(UsageError);
    expect(() => buildTaskSpec('img', args, options)).toThrow(message);
  });
});

describe('buildTaskSpec --secret-env', () => {
  const environment = { DB_PASSWORD: 'from the shell', EMPTY: '' };

  it('takes NAME=value as given, and NAME from the environment', () => {
    expect(
      buildTaskSpec(
        'img',
        [],
        { env: ['MODE=fast'], secretEnv: ['API_KEY=k=1', 'DB_PASSWORD', 'EMPTY'] },
        undefined,
        environment,
      ),
    ).toEqual({
      image: 'img',
      env: { MODE: 'fast' },
      secret_env: { API_KEY: 'k=1', DB_PASSWORD: 'from the shell', EMPTY: '' },
    });
  });

  it.each([
    [{ secretEnv: ['MISSING'] }, /--secret-env MISSING: MISSING is not set in your environment/],
    [{ env: ['A=1'], secretEnv: ['A=2'] }, /A is given with --env and --secret-env/],
  ])('refuses %j', (options, message) => {
    expect(() => buildTaskSpec('img', [], options, undefined, environment)).toThrow(UsageError);
    expect(() => buildTaskSpec('img', [], options, undefined, environment)).toThrow(message);
  });
});

describe(numberParser.name, () => {
  it.each([
    ['4.0', {}, 4],
    ['0.5', { min: 0 }, 0.5],
    ['-5', { integer: true, min: -100 }, -5],
  ])('%s → %d', (text, options, n) => {
    expect(numberParser(options)(text)).toBe(n);
  });

  it.each([
    ['abc', {}, /expected a number, got 'abc'/],
    ['', {}, /expected a number/],
    ['1.5', { integer: true }, /whole number/],
    ['0', { min: 1 }, /at least 1/],
    ['Infinity', {}, /expected a number/],
  ])('refuses %j', (text, options, message) => {
    expect(() => numberParser(options)(text)).toThrow(message);
  });
});

describe(envPair.name, () => {
  it('collects NAME=value pairs and refuses anything else', () => {
    expect(envPair('B=2', envPair('A=1'))).toEqual(['A=1', 'B=2']);
    expect(() => envPair('=x')).toThrow(/expected NAME=value/);
    expect(() => envPair('NOVALUE')).toThrow(/expected NAME=value/);
  });
});

describe(secretEnvArg.name, () => {
  it('collects NAME and NAME=value, and refuses anything else without repeating it', () => {
    expect(secretEnvArg('B=2', secretEnvArg('A'))).toEqual(['A', 'B=2']);
    expect(() => secretEnvArg('=hunter22')).toThrow(/expected NAME/);
    expect(() => secretEnvArg('1X=hunter22')).toThrow(/expected NAME/);
    expect(() => secretEnvArg('=hunter22')).not.toThrow(/hunter22/);
  });
});

describe(carriesSecretValue.name, () => {
  it.each([
    ['task img --secret-env DB=hunter22', true],
    ['task img --secret-env=DB=hunter22', true],
    ["task img --secret-env 'DB=hunter 22'", true],
    ['task img -secret_env DB=x', true],
    ['task img --secret-env DB', false],
    ['task img --env DB=x', false],
    ['task img --secret-env DB --env A=1', false],
  ])('%s → %s', (line, carries) => {
    expect(carriesSecretValue(line)).toBe(carries);
  });
});
