import { toneOf } from './badge';

// task, shard and attempt states: task-list.spec.ts
describe(toneOf.name, () => {
  it.each([
    // a shard whose results are being compared
    ['VALIDATING', 'checking'],
    // a result's validation
    ['PENDING', 'checking'],
    ['ACCEPTED', 'done'],
    ['VALID', 'done'],
    ['INVALID', 'failed'],
    ['INCONCLUSIVE', 'waiting'],
    // nodes
    ['online', 'done'],
    ['draining', 'waiting'],
    ['offline', 'off'],
    ['ok', 'done'],
    ['refused', 'waiting'],
    ['failed', 'failed'],
    ['high', 'done'],
    ['normal', 'running'],
    ['low', 'waiting'],
    // an attempt on a worker (its console)
    ['waiting for a slot', 'waiting'],
    ['downloading', 'running'],
    ['reporting', 'running'],
    ['stopping', 'waiting'],
    ['completed', 'done'],
    ['stopped', 'failed'],
    ['cancelled', 'off'],
  ])('%s → %s', (value, tone) => {
    expect(toneOf(value)).toBe(tone);
  });
});
