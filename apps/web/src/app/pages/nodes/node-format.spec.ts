import { type NodeStandingView, type NodeView } from '@hivemind/contracts';
import {
  cores,
  heartbeatAge,
  invalidFirst,
  lastFault,
  megabytes,
  percent,
  standingText,
} from './node-format';

describe(heartbeatAge.name, () => {
  const now = Date.parse('2026-05-01T10:00:00Z');
  it.each([
    [null, 'never'],
    [now, 'just now'],
    [now + 2000, 'just now'], // the browser's clock a little behind the estimate
    [now - 999, 'just now'],
    [now - 3000, '3 s ago'],
    [now - 59_999, '59 s ago'],
    [now - 60_000, '1 min ago'],
    [now - 59 * 60_000, '59 min ago'],
    [now - 3600_000, '1 h ago'],
    [now - 47 * 3600_000, '47 h ago'],
    [now - 72 * 3600_000, '3 d ago'],
  ])('%p → %p', (seenAt, expected) => {
    expect(heartbeatAge(seenAt, now)).toBe(expected);
  });
});

describe(cores.name, () => {
  it.each([
    [8000, '8'],
    [3500, '3.5'],
    [250, '0.25'],
    [0, '0'],
  ])('%p millicores → %p cores', (millicores, expected) => {
    expect(cores(millicores)).toBe(expected);
  });
});

describe(megabytes.name, () => {
  it.each([
    [0, '0 MB'],
    [512, '512 MB'],
    [1024, '1 GB'],
    [15_900, '15.5 GB'],
    [16_384, '16 GB'],
    [2_097_152, '2 TB'],
  ])('%p → %p', (mb, expected) => {
    expect(megabytes(mb)).toBe(expected);
  });
});

describe(percent.name, () => {
  it('rounds, and shows a dash when the figure is unknown', () => {
    expect(percent(37.46)).toBe('37 %');
    expect(percent(0)).toBe('0 %');
    expect(percent(null)).toBe('—');
    expect(percent(undefined)).toBe('—');
  });
});

describe(standingText.name, () => {
  const standing = (over: Partial<NodeStandingView>): NodeStandingView => ({
    valid_run: 0,
    valid_results: 0,
    invalid_results: 0,
    probation: false,
    operator: false,
    node_faults: 0,
    disproved_claims: 0,
    last_fault_at: null,
    ...over,
  });
  it.each([
    [{ operator: true }, 'The operator’s node: its results are accepted alone.'],
    [
      { probation: true, valid_run: 1 },
      'On probation: 1 of 3 valid results in a row to leave it (at most 2 attempts at a time, no network, no secrets, results replicated).',
    ],
    [{ valid_run: 4 }, 'Adaptive validation replicates its results until 10 valid in a row (4 so far).'],
    [
      { valid_run: 25 },
      'Trusted: adaptive validation accepts its results alone, spot-checked about 1 in 25.',
    ],
  ])('%j', (over, text) => {
    expect(standingText(standing(over))).toBe(text);
  });

  it('says when the last fault was', () => {
    const now = Date.parse('2026-05-01T10:00:00Z');
    expect(lastFault(standing({}), now)).toBe('never');
    expect(lastFault(standing({ last_fault_at: '2026-05-01T09:56:00Z' }), now)).toBe('4 min ago');
  });
});

describe(invalidFirst.name, () => {
  const node = (name: string, invalid: number) =>
    ({ name, standing: { invalid_results: invalid } }) as Pick<NodeView, 'name' | 'standing'>;
  it('puts the nodes with invalid results first, most first, the rest by name', () => {
    const rows = [node('a', 0), node('d', 1), node('b', 0), node('c', 5)];
    expect(invalidFirst(rows).map((n) => n.name)).toEqual(['c', 'd', 'a', 'b']);
    expect(rows.map((n) => n.name)).toEqual(['a', 'd', 'b', 'c']);
  });
});
