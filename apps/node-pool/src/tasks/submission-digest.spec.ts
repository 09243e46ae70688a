import { type SubmitTaskDto } from '@hivemind/contracts/dto';
import { submissionDigest } from './submission-digest';

const base: SubmitTaskDto = { name: 'render', memory_gb: 4, cpu_score: 500, env: { A: '1', B: '2' } };

describe(submissionDigest.name, () => {
  const digest = submissionDigest(base, 'ab'.repeat(32));

  it.each<[string, SubmitTaskDto, string | undefined]>([
    ['the same request', { ...base }, 'ab'.repeat(32)],
    [
      'its keys in another order',
      { env: { B: '2', A: '1' }, cpu_score: 500, memory_gb: 4, name: 'render' },
      'ab'.repeat(32),
    ],
    ['another client reference', { ...base, client_ref: 'other' }, 'ab'.repeat(32)],
    ['a field left out as undefined ("Any")', { ...base, gpu_name: undefined }, 'ab'.repeat(32)],
  ])('is the same for %s', (_name, spec, input) => {
    expect(submissionDigest(spec, input)).toBe(digest);
  });

  it.each<[string, SubmitTaskDto, string | undefined]>([
    ['another figure', { ...base, memory_gb: 8 }, 'ab'.repeat(32)],
    ['another env value', { ...base, env: { A: '1', B: '3' } }, 'ab'.repeat(32)],
    ['another input', { ...base }, 'cd'.repeat(32)],
    ['no input', { ...base }, undefined],
    ['a GPU asked for', { ...base, gpu_name: 'RTX 4090' }, 'ab'.repeat(32)],
    ['a secret added', { ...base, secret_env: { TOKEN: 'x' } }, 'ab'.repeat(32)],
  ])('differs for %s', (_name, spec, input) => {
    expect(submissionDigest(spec, input)).not.toBe(digest);
  });

  it('counts the names of secrets, not their values', () => {
    expect(submissionDigest({ ...base, secret_env: { TOKEN: 'one' } }, undefined)).toBe(
      submissionDigest({ ...base, secret_env: { TOKEN: 'two' } }, undefined),
    );
  });
});
