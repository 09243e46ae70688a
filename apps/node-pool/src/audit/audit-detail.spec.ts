import { AUDIT_DETAIL_MAX_CHARS, AUDIT_DETAIL_STRING_MAX, boundedDetail } from './audit-detail';

describe(boundedDetail.name, () => {
  it.each([
    ['nothing', undefined, {}],
    [
      'scalars kept',
      { amount: 5, to: 'bob', created: true, memo: null },
      { amount: 5, to: 'bob', created: true, memo: null },
    ],
    ['a password key dropped', { username: 'al', password: 'hunter2' }, { username: 'al' }],
    ['token-like keys dropped', { refresh_token: 'x', accessToken: 'y', secret_env: 'z', n: 1 }, { n: 1 }],
    [
      'a nested value named, not stored',
      { env: { A: '1' }, list: [1] },
      { env: '[object]', list: '[array]' },
    ],
    ['undefined left out', { a: undefined, b: 2 }, { b: 2 }],
    ['NaN as text', { x: Number.NaN }, { x: 'NaN' }],
    ['NUL replaced', { name: 'a\u0000b' }, { name: 'a\uFFFDb' }],
  ])('%s', (_case, detail, expected) => {
    expect(boundedDetail(detail)).toEqual(expected);
  });

  it('cuts a long string', () => {
    const out = boundedDetail({ username: 'x'.repeat(4_000_000) });
    expect((out.username as string).length).toBe(AUDIT_DETAIL_STRING_MAX);
  });

  it('keeps at most 16 keys and 2 KiB', () => {
    const many = Object.fromEntries(Array.from({ length: 40 }, (_, i) => [`key${i}`, 'v'.repeat(200)]));
    const out = boundedDetail(many);
    expect(JSON.stringify(out).length).toBeLessThanOrEqual(AUDIT_DETAIL_MAX_CHARS);
    expect(out.truncated).toBe(true);
  });
});
