import { AttemptState } from '@hivemind/contracts';
import { DomainError } from '../common/domain-error';
import { type AttemptOutcome, type CompletionReport, reportedOutcome } from './attempt-outcome';

const DIGEST = 'd1'.repeat(32);

const ok: CompletionReport = {
  success: true,
  exit_code: 0,
  oom_killed: false,
  failure_cause: '',
  error: '',
  duration_ms: '1500',
  cpu_seconds: 0.5,
  peak_memory_mb: 40,
  output_sha256: '',
};

describe(reportedOutcome.name, () => {
  it.each<[string, Partial<CompletionReport>, Partial<AttemptOutcome>]>([
    [
      'success with exit code 0: completed',
      {},
      { state: AttemptState.Completed, cause: undefined, error: null, durationMs: 1500 },
    ],
    ['success but exit code 1: the task failed', { exit_code: 1 }, { cause: 'task', error: 'exit code 1' }],
    [
      'exit code 3: the task failed',
      { success: false, exit_code: 3 },
      { state: AttemptState.Failed, cause: 'task', exitCode: 3, error: 'exit code 3' },
    ],
    [
      'OOM kill: the task failed, out of memory',
      { success: false, exit_code: 137, oom_killed: true },
      { state: AttemptState.Failed, cause: 'task', oomKilled: true, error: 'killed: out of memory' },
    ],
    [
      'the executor failed: a node failure, with the worker’s words',
      { success: false, exit_code: -1, failure_cause: 'node', error: 'image pull failed' },
      { state: AttemptState.Failed, cause: 'node', error: 'image pull failed' },
    ],
    ['an unknown cause is the task’s', { success: false, failure_cause: 'cosmic rays' }, { cause: 'task' }],
    [
      'zero values are "not given"',
      { duration_ms: '0', cpu_seconds: 0, peak_memory_mb: 0, output_sha256: '' },
      { durationMs: null, cpuSeconds: null, peakMemoryMb: null, outputSha256: null },
    ],
    ['the result digest, as reported', { result_digest: DIGEST }, { resultDigest: DIGEST }],
    ['the result digest in lower case', { result_digest: DIGEST.toUpperCase() }, { resultDigest: DIGEST }],
    [
      'a failure’s result digest too (the exit code is part of it)',
      { success: false, exit_code: 2, result_digest: DIGEST },
      { state: AttemptState.Failed, resultDigest: DIGEST },
    ],
    ['an empty result digest is "not given"', { result_digest: '' }, { resultDigest: null }],
    ['no result digest (a seed client) is "not given"', {}, { resultDigest: null }],
  ])('%s', (_name, over, expected) => {
    expect(reportedOutcome({ ...ok, ...over })).toMatchObject(expected);
  });

  it.each([
    ['too short', 'ab'.repeat(31)],
    ['too long', 'ab'.repeat(33)],
    ['not hex', 'zz'.repeat(32)],
    ['padded', ` ${'ab'.repeat(32)}`],
  ])('refuses a result digest %s as invalid, naming result_digest', (_case, digest) => {
    let refusal: unknown;
    try {
      reportedOutcome({ ...ok, result_digest: digest });
    } catch (error) {
      refusal = error;
    }
    expect(refusal).toBeInstanceOf(DomainError);
    expect(refusal).toMatchObject({
      kind: 'invalid',
      message: expect.stringMatching(/^result_digest must be 64 hex digits/),
      details: { field: 'result_digest' },
    });
  });
});
