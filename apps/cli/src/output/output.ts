import Table from 'cli-table3';
import { createColors } from 'picocolors';

export type Colors = ReturnType<typeof createColors>;

/** Colour on a terminal only, and never when NO_COLOR is set (https://no-color.org) or TERM=dumb. */
export function colorEnabled(isTTY: boolean | undefined, env: Record<string, string | undefined>): boolean {
  if (env.NO_COLOR !== undefined && env.NO_COLOR !== '') return false;
  if (env.FORCE_COLOR !== undefined && env.FORCE_COLOR !== '' && env.FORCE_COLOR !== '0') return true;
  return !!isTTY && env.TERM !== 'dumb';
}

/** A table as text: a header row (bold when coloured) and rows; no borders but a rule under the header. */
export function renderTable(head: string[], rows: (string | number)[][], c: Colors): string {
  const table = new Table({
    head: head.map((h) => c.bold(h)),
    style: { head: [], border: [], 'padding-left': 0, 'padding-right': 2 },
    chars: {
      top: '',
      'top-mid': '',
      'top-left': '',
      'top-right': '',
      bottom: '',
      'bottom-mid': '',
      'bottom-left': '',
      'bottom-right': '',
      left: '',
      'left-mid': '',
      mid: '',
      'mid-mid': '',
      right: '',
      'right-mid': '',
      middle: '',
    },
  });
  table.push(...rows.map((row) => row.map(String)));
  return table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n');
}

/** How a command prints: JSON documents for scripts, tables and coloured text for people. */
export class Output {
  readonly c: Colors;

  constructor(
    private readonly write: (text: string) => void,
    readonly json: boolean,
    color: boolean,
  ) {
    this.c = createColors(color);
  }

  /** One JSON document (the API's answer as it came). */
  document(value: unknown): void {
    this.write(JSON.stringify(value, null, 2) + '\n');
  }

  line(text = ''): void {
    this.write(text + '\n');
  }

  table(head: string[], rows: (string | number)[][], empty: string): void {
    this.line(rows.length ? renderTable(head, rows, this.c) : this.c.dim(empty));
  }
}
