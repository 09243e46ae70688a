import { type AttemptListing } from '../nodes/attempt-listing';
import { type RunningAttempt, unlistedAttempts } from './unlisted-attempts';

const rule = { heartbeats: 3, marginMs: 10_000 };
const T = 1_000_000;
const attempt = (id: string, startedAtMs = T, nodeId = 'n1'): RunningAttempt => ({ id, nodeId, startedAtMs });
const listing = (atMs: number, ...ids: string[]): AttemptListing => ({ atMs, attemptIds: new Set(ids) });
const after = (s: number) => T + rule.marginMs + s * 1000;

describe(unlistedAttempts.name, () => {
  it.each<[string, AttemptListing[], string[]]>([
    [
      'three heartbeats after the margin, none names it: unlisted',
      [listing(after(0)), listing(after(5)), listing(after(10))],
      ['a'],
    ],
    [
      'the newest names it: still running there',
      [listing(after(0)), listing(after(5)), listing(after(10), 'a')],
      [],
    ],
    [
      'an older one names it: not three in a row',
      [listing(after(0), 'a'), listing(after(5)), listing(after(10))],
      [],
    ],
    ['only two heartbeats: too early to say', [listing(after(5)), listing(after(10))], []],
    ['no heartbeat at all: liveness decides, not this', [], []],
    [
      'a heartbeat within the margin counts for nothing (it may predate the attempt)',
      [listing(T + 1000), listing(after(5)), listing(after(10))],
      [],
    ],
    [
      'only the newest three matter, in time order whatever the storage order',
      [listing(after(15)), listing(T - 5000, 'a'), listing(after(10)), listing(after(5))],
      ['a'],
    ],
    [
      'other attempts listed do not help it',
      [listing(after(0), 'b'), listing(after(5), 'b'), listing(after(10), 'b')],
      ['a'],
    ],
  ])('%s', (_what, listings, unlisted) => {
    expect(unlistedAttempts([attempt('a')], new Map([['n1', listings]]), rule)).toEqual(unlisted);
  });

  it('judges each attempt against its own node', () => {
    const listings = new Map([
      ['n1', [listing(after(0), 'a'), listing(after(5), 'a'), listing(after(10), 'a')]],
      ['n2', [listing(after(0)), listing(after(5)), listing(after(10))]],
    ]);
    expect(
      unlistedAttempts([attempt('a', T, 'n1'), attempt('b', T, 'n2'), attempt('c', T, 'n3')], listings, rule),
    ).toEqual(['b']);
  });
});
