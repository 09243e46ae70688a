// The import rules (docs/ARCHITECTURE.md "Import rules", scripts/import-rules.mjs) fail lint when
// broken: each case adds one forbidden line to a real file of the repository and lints the result
// with the project's own ESLint configuration (in a child process: ESLint loads its configuration
// as an ES module, which Jest's module system does not), expecting the rule's message — and the
// same file without the line lints clean of it.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const ROOT = join(__dirname, '..', '..', '..');

interface Case {
  name: string;
  file: string;
  line: string;
  /** A piece of the message the broken rule gives. */
  expected: string;
}

const CASES: Case[] = [
  {
    name: 'nodes/ importing scheduling/',
    file: 'apps/node-pool/src/nodes/nodes.service.ts',
    line: "import { LifecycleService } from '../scheduling/lifecycle.service';\nvoid LifecycleService;",
    expected: 'nodes/ does not import scheduling/',
  },
  {
    name: 'a feature folder taking an accounts internal',
    file: 'apps/node-pool/src/tasks/tasks.service.ts',
    line: "import { TokenService } from '../accounts/token.service';\nvoid TokenService;",
    expected: 'take auth from its public files',
  },
  {
    name: 'storage/ loading an entity of the work (a cycle)',
    file: 'apps/node-pool/src/storage/files.repository.ts',
    line: "import { Task as WorkTask } from '../scheduling/task.entity';\nvoid WorkTask;",
    expected: 'storage/ is below the work',
  },
  {
    name: 'common/ importing a feature folder',
    file: 'apps/node-pool/src/common/ids.ts',
    line: "import { TasksService } from '../tasks/tasks.service';\nvoid TasksService;",
    expected: 'imports no feature folder',
  },
  {
    name: 'an app importing another app',
    file: 'apps/worker/src/main.ts',
    line: "import { createNodePool } from '../../node-pool/src/app.factory';\nvoid createNodePool;",
    expected: 'an app does not import another app',
  },
  {
    name: 'the browser-safe contracts importing a Node module',
    file: 'libs/contracts/src/domain/bytes.ts',
    line: "import { readFileSync } from 'node:fs';\nvoid readFileSync;",
    expected: 'the browser-safe contracts import no package',
  },
  {
    name: 'a DTO importing a server library',
    file: 'libs/contracts/src/dto/wallet.dto.ts',
    line: "import { DataSource } from 'typeorm';\nvoid DataSource;",
    expected: 'the DTOs use class-validator',
  },
  {
    name: "the consoles' UI library importing a server package",
    file: 'libs/ui/src/coalesce.ts',
    line: "import { Injectable } from '@nestjs/common';\nvoid Injectable;",
    expected: 'libs/ui is browser code',
  },
  {
    name: 'SQL outside a repository',
    file: 'apps/node-pool/src/tasks/tasks.service.ts',
    line: "export const probe = (m: { query(sql: string): unknown }) => m.query('SELECT 1');",
    expected: 'SQL lives in *.repository.ts',
  },
];

/** Lints each file as it is and with its case's line, in one ESLint; answers the messages of each. */
function lintAll(cases: Case[]): { clean: string[]; broken: string[] }[] {
  const script = `
    import { readFileSync } from 'node:fs';
    import { ESLint } from 'eslint';
    // only the rules under test, without type information: fast, and no TypeScript program to build
    const eslint = new ESLint({
      cwd: process.cwd(),
      overrideConfig: { languageOptions: { parserOptions: { project: null, projectService: false } } },
      ruleFilter: ({ ruleId }) =>
        ruleId === '@typescript-eslint/no-restricted-imports' || ruleId === 'no-restricted-syntax',
    });
    const cases = JSON.parse(process.env.CASES);
    const messages = async (text, filePath) =>
      (await eslint.lintText(text, { filePath }))[0].messages.map((m) => m.message);
    const out = [];
    for (const c of cases) {
      const text = readFileSync(c.file, 'utf8');
      out.push({ clean: await messages(text, c.file), broken: await messages(text + '\\n' + c.line + '\\n', c.file) });
    }
    process.stdout.write(JSON.stringify(out));
  `;
  const run = spawnSync(process.execPath, ['--input-type=module', '-e', script], {
    cwd: ROOT,
    env: { ...process.env, CASES: JSON.stringify(cases) },
    encoding: 'utf8',
    maxBuffer: 16 * 1024 * 1024,
  });
  if (run.status !== 0) throw new Error(`eslint failed: ${run.stderr}`);
  return JSON.parse(run.stdout) as { clean: string[]; broken: string[] }[];
}

describe('import rules', () => {
  let results: { clean: string[]; broken: string[] }[];

  beforeAll(() => {
    results = lintAll(CASES);
  }, 300_000);

  it.each(CASES.map((c, i) => [c.name, i] as const))('%s fails lint', (_, i) => {
    const { clean, broken } = results[i];
    const expected = CASES[i].expected;
    expect(clean.filter((m) => m.includes(expected))).toEqual([]);
    expect(broken.filter((m) => m.includes(expected))).toHaveLength(1);
  });

  it('lets storage/ name the work’s types (import type)', () => {
    const [result] = lintAll([
      {
        ...CASES[2],
        line: "import type { Task as WorkTask } from '../scheduling/task.entity';\nexport type T = WorkTask;",
      },
    ]);
    expect(result.broken.filter((m) => m.includes('storage/ is below the work'))).toEqual([]);
  }, 300_000);
});
