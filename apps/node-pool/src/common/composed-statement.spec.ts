import { ComposedStatement } from './composed-statement';

describe('ComposedStatement', () => {
  it('numbers each part’s parameters after the earlier parts’ and answers the outputs of its one row', async () => {
    const statement = new ComposedStatement()
      .with('a', 'INSERT INTO a (x, y) VALUES ($1, $2) RETURNING id', ['x', 'y'])
      .with(
        'b',
        'SELECT $1::int + $10 AS n WHERE EXISTS (SELECT 1 FROM a)',
        [1, 2, 3, 4, 5, 6, 7, 8, 9, 10],
        true,
      );
    const id = statement.output<string>('a_id', '(SELECT id FROM a)');
    const n = statement.output<number>('b_n', '(SELECT n FROM b)');
    const sent: { sql: string; params: unknown[] }[] = [];
    await statement.run({
      query: (sql: string, params?: unknown[]) => {
        sent.push({ sql, params: params ?? [] });
        return Promise.resolve([{ a_id: 'id-1', b_n: 11 }]);
      },
    } as never);
    expect(sent).toHaveLength(1);
    expect(sent[0].sql).toBe(
      'WITH a AS (INSERT INTO a (x, y) VALUES ($1, $2) RETURNING id),\n' +
        'b AS MATERIALIZED (SELECT $3::int + $12 AS n WHERE EXISTS (SELECT 1 FROM a))\n' +
        'SELECT (SELECT id FROM a) AS a_id, (SELECT n FROM b) AS b_n',
    );
    expect(sent[0].params).toEqual(['x', 'y', 1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(id()).toBe('id-1');
    expect(n()).toBe(11);
  });

  it('refuses a part named twice, a parameter the part did not give, and reading before it ran', () => {
    const statement = new ComposedStatement().with('a', 'SELECT $1', [1]);
    expect(() => statement.with('a', 'SELECT 1')).toThrow(/already has a part named a/);
    expect(() => statement.with('b', 'SELECT $2', [1])).toThrow(/part b uses \$2 but has 1 params/);
    const out = statement.output('x', '1');
    expect(() => out()).toThrow(/has not run/);
  });

  it('refuses to run without an output', async () => {
    await expect(
      new ComposedStatement().with('a', 'SELECT 1').run({ query: jest.fn() } as never),
    ).rejects.toThrow(/needs an output/);
  });
});
