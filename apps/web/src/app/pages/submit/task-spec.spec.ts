import { SplitKind, ValidationMode } from '@hivemind/contracts';
import {
  buildSpec,
  envNameError,
  parseJsonObject,
  placeRefusal,
  shardCount,
  type SubmitFormValue,
} from './task-spec';

const blank = (over: Partial<SubmitFormValue> = {}): SubmitFormValue => ({
  name: '',
  image: '',
  command: '',
  cpu_cores: null,
  memory_gb: null,
  storage_gb: null,
  cpu_score: null,
  gpu_score: null,
  gpu_memory_gb: null,
  gpu_name: '',
  location: '',
  priority: null,
  timeout_s: null,
  max_attempts: null,
  validation: ValidationMode.Adaptive,
  quorum: null,
  max_replicas: null,
  network_allowed: false,
  shards: null,
  split: SplitKind.None,
  split_params: '',
  aggregate_command: '',
  validator_command: '',
  env: [],
  ...over,
});

describe(buildSpec.name, () => {
  it('sends only what is given, so the pool defaults the rest', () => {
    expect(buildSpec(blank({ image: ' python:3.12-slim ' }))).toEqual({
      spec: { image: 'python:3.12-slim', validation: 'adaptive' },
      errors: null,
    });
  });

  it('runs the command and the aggregate command with sh -c', () => {
    const { spec } = buildSpec(
      blank({ image: 'alpine', command: 'echo $A && ls', aggregate_command: 'cat */out.txt' }),
    );
    expect(spec?.command).toEqual(['sh', '-c', 'echo $A && ls']);
    expect(spec?.aggregate_command).toEqual(['sh', '-c', 'cat */out.txt']);
  });

  it('keeps the numbers, zero included', () => {
    const { spec } = buildSpec(
      blank({ cpu_cores: 2, memory_gb: 4, gpu_score: 0, priority: -5, timeout_s: 60, max_attempts: 1 }),
    );
    expect(spec).toEqual({
      validation: 'adaptive',
      cpu_cores: 2,
      memory_gb: 4,
      gpu_score: 0,
      priority: -5,
      timeout_s: 60,
      max_attempts: 1,
    });
  });

  it('sends the split, its parameters and the shard count', () => {
    expect(
      buildSpec(blank({ image: 'a', split: SplitKind.Simulation, shards: 8, split_params: '{"seed": 42}' }))
        .spec,
    ).toEqual({
      image: 'a',
      validation: 'adaptive',
      split: 'simulation',
      shards: 8,
      split_params: { seed: 42 },
    });
  });

  it('leaves the shard count to the grid for machine_learning', () => {
    const { spec } = buildSpec(
      blank({ split: SplitKind.MachineLearning, shards: 3, split_params: '{"grid": {"lr": [0.1, 0.01]}}' }),
    );
    expect(spec).toEqual({
      validation: 'adaptive',
      split: 'machine_learning',
      split_params: { grid: { lr: [0.1, 0.01] } },
    });
  });

  it('refuses split parameters that are not a JSON object, or a machine_learning split without a grid', () => {
    expect(buildSpec(blank({ split_params: '{seed: 1}' })).errors?.['split_params']).toMatch(
      /not valid JSON/i,
    );
    expect(buildSpec(blank({ split_params: '[1]' })).errors?.['split_params']).toMatch(/object/);
    expect(buildSpec(blank({ split: SplitKind.MachineLearning })).errors?.['split_params']).toMatch(/grid/);
  });

  it('sends the validation policy; quorum and max replicas only when results are validated', () => {
    expect(buildSpec(blank({ validation: ValidationMode.Quorum, quorum: 3, max_replicas: 5 })).spec).toEqual({
      validation: 'quorum',
      quorum: 3,
      max_replicas: 5,
    });
    expect(buildSpec(blank({ validation: ValidationMode.None, quorum: 3, max_replicas: 5 })).spec).toEqual({
      validation: 'none',
    });
  });

  it('sends the validator command only when results are validated', () => {
    const cmp = 'python3 compare.py';
    expect(buildSpec(blank({ validation: ValidationMode.Quorum, validator_command: cmp })).spec).toEqual({
      validation: 'quorum',
      validator_command: ['sh', '-c', cmp],
    });
    expect(buildSpec(blank({ validation: ValidationMode.None, validator_command: cmp })).spec).toEqual({
      validation: 'none',
    });
  });

  it('refuses a quorum above the max replicas, as the pool would', () => {
    expect(buildSpec(blank({ quorum: 5, max_replicas: 4 })).errors).toEqual({
      quorum: 'At most the max replicas (4)',
    });
    expect(
      buildSpec(blank({ validation: ValidationMode.None, quorum: 5, max_replicas: 4 })).errors,
    ).toBeNull();
  });

  it('turns the environment rows into an object, skipping empty rows', () => {
    const { spec } = buildSpec(
      blank({
        env: [
          { name: 'MODE', value: 'fast' },
          { name: '', value: '' },
          { name: ' EMPTY ', value: '' },
        ],
      }),
    );
    expect(spec?.env).toEqual({ MODE: 'fast', EMPTY: '' });
  });

  it('sends the rows marked secret as secret_env', () => {
    const { spec } = buildSpec(
      blank({
        env: [
          { name: 'MODE', value: 'fast', secret: false },
          { name: 'DB_PASSWORD', value: 'hunter22', secret: true },
        ],
      }),
    );
    expect(spec?.env).toEqual({ MODE: 'fast' });
    expect(spec?.secret_env).toEqual({ DB_PASSWORD: 'hunter22' });
    expect(buildSpec(blank({ env: [{ name: 'MODE', value: 'x' }] })).spec).not.toHaveProperty('secret_env');
  });

  it('refuses a name given as a plain and a secret variable', () => {
    const { errors } = buildSpec(
      blank({
        env: [
          { name: 'TOKEN', value: 'a' },
          { name: 'TOKEN', value: 'b', secret: true },
        ],
      }),
    );
    expect(errors?.['env']).toMatch(/TOKEN: TOKEN is given twice/);
  });

  it('refuses bad and repeated environment names', () => {
    expect(buildSpec(blank({ env: [{ name: '1X', value: 'a' }] })).errors?.['env']).toMatch(/^1X:/);
    expect(
      buildSpec(
        blank({
          env: [
            { name: 'A', value: '1' },
            { name: 'A', value: '2' },
          ],
        }),
      ).errors?.['env'],
    ).toMatch(/twice/);
    expect(buildSpec(blank({ env: [{ name: '', value: 'orphan' }] })).errors?.['env']).toBeDefined();
  });
});

describe(shardCount.name, () => {
  it.each([
    [SplitKind.None, null, '', 1],
    [SplitKind.None, 5, '', 5],
    [SplitKind.Simulation, 10, '{"seed": 1}', 10],
    [SplitKind.DataProcessing, 4, '', 4],
    [SplitKind.MachineLearning, 99, '{"grid": {"lr": [1, 2, 3], "layers": [2, 3]}}', 6],
    [SplitKind.MachineLearning, 1, '{"grid": {"lr": []}}', null],
    [SplitKind.MachineLearning, 1, '{"grid": {}}', null],
    [SplitKind.MachineLearning, 1, 'not json', null],
  ])('%s with shards=%s and %s → %s', (split, shards, params, expected) => {
    expect(shardCount(split, shards, params)).toBe(expected);
  });
});

describe(parseJsonObject.name, () => {
  it('takes empty text as no object', () => {
    expect(parseJsonObject('  ')).toEqual({ value: null, error: null });
  });
});

describe(envNameError.name, () => {
  it('accepts shell names and refuses the platform’s', () => {
    expect(envNameError('_MY_VAR2')).toBeNull();
    expect(envNameError('MY-VAR')).not.toBeNull();
    expect(envNameError('HIVEMIND_SHARD_INDEX')).toMatch(/platform/);
  });
});

describe(placeRefusal.name, () => {
  const shown = new Set(['timeout_s', 'command', 'image']);

  it('puts each message at the field it names, and points at them above the button', () => {
    expect(
      placeRefusal(
        { message: 'x', fields: { timeout_s: 'this task may cost up to 675 CPT', 'command.0': 'too long' } },
        shown,
      ),
    ).toEqual({
      fields: { timeout_s: 'this task may cost up to 675 CPT', command: 'too long' },
      general: 'The pool refused the fields marked above.',
    });
  });

  it('says above the button what concerns no field the form shows', () => {
    expect(
      placeRefusal({ message: 'spec must be JSON', fields: { spec: 'spec must be JSON' } }, shown),
    ).toEqual({
      fields: {},
      general: 'spec must be JSON',
    });
    expect(placeRefusal({ message: 'The node pool cannot be reached.', fields: {} }, shown).general).toBe(
      'The node pool cannot be reached.',
    );
  });
});
