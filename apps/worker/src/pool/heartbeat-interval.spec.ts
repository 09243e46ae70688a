import { HEARTBEAT_INTERVAL_MAX_S, nextHeartbeatMs } from './heartbeat-interval';

describe(nextHeartbeatMs.name, () => {
  it.each([
    // own ms, pool s, random, expected ms
    [5_000, 0, 0, 5_000], // an older pool says nothing: the worker's own interval
    [5_000, 5, 0, 5_000],
    [5_000, 2, 0, 5_000], // never faster than the worker's own setting
    [5_000, 20, 0, 20_000], // a stretched interval is obeyed
    [5_000, 20, 0.5, 19_000], // up to 10 % early, spreading nodes out
    [5_000, 20, 0.999_999, 18_000],
    [5_000, 5, 0.999_999, 5_000], // the jitter never goes below the worker's own setting
    [5_000, 100_000, 0, HEARTBEAT_INTERVAL_MAX_S * 1000], // never slower than the maximum
    [5_000, Number.NaN, 0, 5_000],
    [5_000, -3, 0, 5_000],
    [400_000, 10, 0, HEARTBEAT_INTERVAL_MAX_S * 1000], // the maximum bounds the worker's own too
  ])('own %i ms, pool %s s, random %s → %i ms', (own, pool, random, expected) => {
    expect(nextHeartbeatMs(own, pool, random)).toBe(expected);
  });
});
