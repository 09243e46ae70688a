import { type ShardResult, judgeResults } from './validation';
import { MAX_GROUPS_BYTES, parseValidatorGroups, regrouped, wantsValidator } from './validator-groups';

const r = (n: number, digest: string | null, ownerId = `owner-${n}`): ShardResult => ({
  attemptId: `att-${n}`,
  nodeId: `node-${n}`,
  ownerId,
  digest,
  cost: 10,
});
const CANDIDATES = ['att-1', 'att-2', 'att-3'];

describe(parseValidatorGroups.name, () => {
  it('reads each candidate’s group', () => {
    const parsed = parseValidatorGroups('{"groups": [["att-1", "att-3"], ["att-2"]]}', CANDIDATES);
    expect(parsed).toEqual({
      groups: new Map([
        ['att-1', 0],
        ['att-3', 0],
        ['att-2', 1],
      ]),
    });
  });

  it.each<[string, string, RegExp]>([
    ['not JSON', '{groups', /not JSON/],
    ['not an object', '[]', /the document/],
    ['no groups', '{}', /groups/],
    ['an extra field', '{"groups": [], "verdict": "ok"}', /Unrecognized key/],
    ['an empty group', '{"groups": [[]]}', /groups\.0/],
    ['a number for an id', '{"groups": [[1]]}', /groups\.0\.0/],
    ['a stranger', '{"groups": [["att-9"]]}', /"att-9", not a candidate/],
    ['one candidate twice', '{"groups": [["att-1"], ["att-1"]]}', /att-1 in two groups/],
    ['too many groups', JSON.stringify({ groups: Array.from({ length: 65 }, () => ['x']) }), /groups/],
    ['too big', ' '.repeat(MAX_GROUPS_BYTES + 1), /over 65536 bytes/],
  ])('refuses %s', (_name, text, reason) => {
    const parsed = parseValidatorGroups(text, CANDIDATES);
    expect('refused' in parsed && parsed.refused).toMatch(reason);
  });
});

describe('judging by the validator’s groups', () => {
  const replication = { quorum: 2, wanted: 3, maxReplicas: 4, live: 0, canAddReplicas: true };
  // three owners' floating-point results: no two digests match
  const results = [r(1, 'A'), r(2, 'B'), r(3, 'C')];

  it('equivalent results of two owners decide; the odd one out is invalid', () => {
    const groups = new Map([
      ['att-1', 0],
      ['att-3', 0],
      ['att-2', 1],
    ]);
    const j = judgeResults(regrouped(results, groups), replication);
    expect(j).toMatchObject({
      kind: 'decided',
      canonical: { attemptId: 'att-1' },
      valid: [{ attemptId: 'att-1' }, { attemptId: 'att-3' }],
      invalid: [{ attemptId: 'att-2' }],
    });
  });

  it('one owner’s two results in one group still count once', () => {
    const twins = [r(1, 'A', 'o'), r(2, 'B', 'o'), r(3, 'C')];
    const groups = new Map([
      ['att-1', 0],
      ['att-2', 0],
    ]);
    expect(judgeResults(regrouped(twins, groups), replication).kind).not.toBe('decided');
  });

  it('a result the pool does not believe stays out of every group', () => {
    const refused = [r(1, 'A'), r(2, null), r(3, 'C')];
    const groups = new Map([
      ['att-1', 0],
      ['att-2', 0],
    ]);
    expect(regrouped(refused, groups)[1].digest).toBeNull();
    expect(judgeResults(regrouped(refused, groups), replication).kind).not.toBe('decided');
  });

  it('a candidate the validator left out agrees with nobody', () => {
    const groups = new Map([['att-1', 0]]);
    const digests = regrouped(results, groups).map((x) => x.digest);
    expect(digests).toEqual(['group:0', 'alone:att-2', 'alone:att-3']);
  });
});

describe(wantsValidator.name, () => {
  const s = { quorum: 2, hasValidator: true, validated: false, live: 0 };
  it.each<[string, ShardResult[], Partial<typeof s>, boolean]>([
    ['two owners disagree: ask it', [r(1, 'A'), r(2, 'B')], {}, true],
    ['no validator', [r(1, 'A'), r(2, 'B')], { hasValidator: false }, false],
    ['it has answered already', [r(1, 'A'), r(2, 'B')], { validated: true }, false],
    ['a replica still runs', [r(1, 'A'), r(2, 'B')], { live: 1 }, false],
    ['one owner’s results only', [r(1, 'A', 'o'), r(2, 'B', 'o')], {}, false],
    ['a result not believed does not count', [r(1, 'A'), r(2, null)], {}, false],
  ])('%s', (_name, results, over, expected) => {
    expect(wantsValidator(results, { ...s, ...over })).toBe(expected);
  });
});
