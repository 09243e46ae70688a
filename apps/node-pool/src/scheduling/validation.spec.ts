import { ADAPTIVE_TRUST_RUN, spotCheckProbability } from '@hivemind/contracts';
import { type ShardResult, adaptiveQuorum, judgeResults } from './validation';

const r = (n: number, digest: string | null, ownerId = `owner-${n}`): ShardResult => ({
  attemptId: `att-${n}`,
  nodeId: `node-${n}`,
  ownerId,
  digest,
  cost: 10,
});
const rep = (over: Partial<Parameters<typeof judgeResults>[1]> = {}) => ({
  quorum: 2,
  wanted: 2,
  maxReplicas: 4,
  live: 0,
  canAddReplicas: true,
  ...over,
});

describe(judgeResults.name, () => {
  it.each<[string, ShardResult[], ReturnType<typeof rep>, string]>([
    [
      'one result, quorum 1: decided alone',
      [r(1, 'A')],
      rep({ quorum: 1, wanted: 1 }),
      'decided:att-1:alone',
    ],
    ['two matching of two owners: decided', [r(1, 'A'), r(2, 'A')], rep(), 'decided:att-1'],
    ['two matching of one owner: not a quorum', [r(1, 'A', 'o'), r(2, 'A', 'o')], rep(), 'more:3'],
    ['one in, one running', [r(1, 'A')], rep({ live: 1 }), 'wait:0'],
    ['one in, one to place', [r(1, 'A')], rep(), 'wait:1'],
    ['none in, two to place', [], rep(), 'wait:2'],
    ['two differ: one more', [r(1, 'A'), r(2, 'B')], rep(), 'more:3'],
    [
      'three differ, quorum 3 of at most 4: unreachable',
      [r(1, 'A'), r(2, 'B'), r(3, 'C')],
      rep({ quorum: 3, wanted: 3 }),
      'inconclusive',
    ],
    [
      'three differ, quorum 2 of 4: one more could agree',
      [r(1, 'A'), r(2, 'B'), r(3, 'C')],
      rep({ wanted: 3 }),
      'more:4',
    ],
    [
      'four differ at max_replicas 4',
      [r(1, 'A'), r(2, 'B'), r(3, 'C'), r(4, 'D')],
      rep({ wanted: 4 }),
      'inconclusive',
    ],
    ['a result not believed counts as in but never agrees', [r(1, null), r(2, 'A')], rep(), 'more:3'],
    [
      'no more replicas can be placed: what is in decides or is inconclusive',
      [r(1, 'A')],
      rep({ canAddReplicas: false }),
      'inconclusive',
    ],
    [
      'the better supported group wins over the earlier one',
      [r(1, 'B'), r(2, 'A'), r(3, 'A')],
      rep({ wanted: 3 }),
      'decided:att-2',
    ],
  ])('%s', (_name, results, replication, expected) => {
    const j = judgeResults(results, replication);
    const got =
      j.kind === 'decided'
        ? `decided:${j.canonical.attemptId}${j.alone ? ':alone' : ''}`
        : j.kind === 'wait'
          ? `wait:${j.place}`
          : j.kind === 'more'
            ? `more:${j.wanted}`
            : j.kind;
    expect(got).toBe(expected);
  });
});

/** mulberry32: a small seeded generator, so the spot-check rate is tested without timing or luck. */
function seeded(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

describe(adaptiveQuorum.name, () => {
  const node = (over: Partial<Parameters<typeof adaptiveQuorum>[0]> = {}) => ({
    ownerId: 'volunteer',
    operator: false,
    validRun: 0,
    ...over,
  });
  const never = () => 0.999;

  it.each<[string, Parameters<typeof adaptiveQuorum>[0], number]>([
    ['a new node: replicated', node(), 2],
    ['a run short of the trust run: replicated', node({ validRun: ADAPTIVE_TRUST_RUN - 1 }), 2],
    ['a long run, not drawn for a check: alone', node({ validRun: 50 }), 1],
    ['the operator’s node: alone', node({ operator: true }), 1],
    ['the submitter’s own node: alone (they vouch for it)', node({ ownerId: 'submitter' }), 1],
  ])('%s', (_name, n, quorum) => {
    expect(adaptiveQuorum(n, 'submitter', 2, ADAPTIVE_TRUST_RUN, never)).toBe(quorum);
  });

  it.each([10, 25, 100])('a node with a run of %i is spot-checked at about 1/run', (run) => {
    const random = seeded(run * 7919);
    const draws = 200_000;
    let checks = 0;
    for (let i = 0; i < draws; i++) {
      if (adaptiveQuorum(node({ validRun: run }), 'submitter', 2, ADAPTIVE_TRUST_RUN, random) > 1) checks++;
    }
    const rate = checks / draws;
    expect(rate).toBeGreaterThan(spotCheckProbability(run) * 0.9);
    expect(rate).toBeLessThan(spotCheckProbability(run) * 1.1);
  });
});
