import { type EntityManager } from 'typeorm';

/**
 * One SQL statement built from parts that several repositories add, each writing only its own
 * tables (ADR 0007): rows of different modules that must commit together cost one round trip
 * instead of one each. A part is a named CTE (`WITH name AS (…)`) whose SQL numbers its parameters
 * from `$1`, renumbered here after the earlier parts' (so a part's SQL has no other `$`: values go
 * in as parameters, never as literals); it reads an earlier part only through the
 * condition its caller hands it (e.g. `EXISTS (SELECT 1 FROM task)`). Outputs are scalar
 * expressions: the statement answers one row, which each part reads back after `run`.
 *
 * Every data-modifying CTE runs to completion whether or not anything reads it, all on one
 * snapshot (PostgreSQL: "Data-Modifying Statements in WITH"); foreign keys are checked at the end of
 * the statement, so a part may insert a row that references an earlier part's.
 */
export class ComposedStatement {
  private readonly ctes: string[] = [];
  private readonly names = new Set<string>();
  private readonly columns: string[] = [];
  private readonly params: unknown[] = [];
  private row?: Record<string, unknown>;

  /** Adds `name AS [MATERIALIZED] (sql)`; `$1…$n` in `sql` are `params`. */
  with(name: string, sql: string, params: readonly unknown[] = [], materialized = false): this {
    if (this.names.has(name)) throw new Error(`the statement already has a part named ${name}`);
    if (this.row) throw new Error('the statement has run');
    const offset = this.params.length;
    const renumbered = sql.replace(/\$(\d+)/g, (_, n: string) => {
      if (Number(n) > params.length)
        throw new Error(`part ${name} uses $${n} but has ${params.length} params`);
      return `$${Number(n) + offset}`;
    });
    this.names.add(name);
    this.ctes.push(`${name} AS ${materialized ? 'MATERIALIZED ' : ''}(${renumbered})`);
    this.params.push(...params);
    return this;
  }

  /** An output column (a scalar expression over the parts); its value once the statement has run. */
  output<T>(alias: string, expression: string): () => T {
    this.columns.push(`${expression} AS ${alias}`);
    return () => {
      if (!this.row) throw new Error('the statement has not run');
      return this.row[alias] as T;
    };
  }

  async run(manager: Pick<EntityManager, 'query'>): Promise<void> {
    if (this.columns.length === 0) throw new Error('a composed statement needs an output');
    const rows = await manager.query<Record<string, unknown>[]>(this.text(), this.params);
    this.row = rows[0];
  }

  /** The statement's text (for tests and logs). */
  text(): string {
    return `WITH ${this.ctes.join(',\n')}\nSELECT ${this.columns.join(', ')}`;
  }
}
