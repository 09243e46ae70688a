import { randomUUID } from 'node:crypto';
import { MAX_LISTED_ATTEMPTS, decodeListing, encodeListing } from './attempt-listing';

describe(encodeListing.name, () => {
  const a = randomUUID();
  const b = randomUUID();

  it.each<[string, string[] | undefined, string | undefined]>([
    ['no list given: nothing kept', undefined, undefined],
    ['an empty list is a listing too', [], '42|'],
    ['ids in order', [a, b], `42|${a},${b}`],
    ['what is not a uuid names no attempt', [a, "x'--", `${b}x`, ''], `42|${a}`],
    [
      'more ids than any node runs: not kept',
      Array.from({ length: MAX_LISTED_ATTEMPTS + 1 }, () => a),
      undefined,
    ],
  ])('%s', (_what, ids, stored) => {
    expect(encodeListing(ids, 42)).toBe(stored);
  });
});

describe(decodeListing.name, () => {
  const a = randomUUID();

  it.each<[string, ReturnType<typeof decodeListing>]>([
    [`1700000000000|${a}`, { atMs: 1700000000000, attemptIds: new Set([a]) }],
    ['1700000000000|', { atMs: 1700000000000, attemptIds: new Set() }],
    ['|abc', undefined],
    ['nonsense', undefined],
    ['12.5|', undefined],
  ])('%s', (raw, listing) => {
    expect(decodeListing(raw)).toEqual(listing);
  });

  it('reads back what encodeListing stored', () => {
    expect(decodeListing(encodeListing([a], 7)!)).toEqual({ atMs: 7, attemptIds: new Set([a]) });
  });
});
