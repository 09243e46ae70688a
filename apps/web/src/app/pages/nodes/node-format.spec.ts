import { cores, heartbeatAge, megabytes, percent } from './node-format';

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
