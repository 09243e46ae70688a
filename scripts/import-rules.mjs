// @ts-check
// Which folder may import which (docs/ARCHITECTURE.md "Import rules"), as ESLint configs: one per
// folder, each with every restriction that applies to it (a later config's options for the same
// rule replace an earlier one's, so they are composed here, not stacked). A test breaks each rule on
// purpose (apps/node-pool/test/import-rules.int-spec.ts).
import { readdirSync } from 'node:fs';
import { join } from 'node:path';

const root = import.meta.dirname ? join(import.meta.dirname, '..') : process.cwd();
const APPS = ['node-pool', 'worker', 'web', 'worker-console', 'cli'];

/** An app never imports another app: what they share lives in libs/. */
const otherApps = (app) => ({
  group: APPS.filter((a) => a !== app).flatMap((a) => [`**/apps/${a}/**`, `**/${a}/src/**`]),
  message: 'an app does not import another app: share it through libs/',
});

/** Auth comes from one place: the public files of accounts/. */
const accountsInternals = {
  group: [
    '**/accounts/*',
    '!**/accounts/auth.guards',
    '!**/accounts/auth-user',
    '!**/accounts/accounts.service',
    '!**/accounts/accounts.module',
    '!**/accounts/account.views',
    '!**/accounts/user.entity',
    '!**/accounts/bull-board-auth.middleware',
  ],
  message:
    'outside accounts/, take auth from its public files: auth.guards, auth-user, accounts.service, account.views, user.entity',
};

const nodePoolSrc = join(root, 'apps/node-pool/src');
const folders = readdirSync(nodePoolSrc, { withFileTypes: true })
  .filter((d) => d.isDirectory())
  .map((d) => d.name);

/** The restrictions of one node-pool folder (or of the files at the root of src/). */
function nodePoolPatterns(folder) {
  const patterns = [otherApps('node-pool')];
  if (folder !== 'accounts') patterns.push(accountsInternals);
  if (folder === 'nodes') {
    patterns.push({
      group: ['**/scheduling/*'],
      message: 'nodes/ does not import scheduling/ (scheduling reads nodes; a pass is asked through queues/)',
    });
  }
  if (folder === 'storage') {
    patterns.push({
      group: ['**/scheduling/*', '**/tasks/*'],
      allowTypeImports: true,
      message:
        'storage/ is below the work: it may name the work’s types (import type), never load its modules (an entity cycle)',
    });
  }
  if (folder === 'common' || folder === 'config') {
    patterns.push({
      group: folders.filter((f) => f !== 'common' && f !== 'config').map((f) => `**/${f}/*`),
      message: `${folder}/ is the base every folder builds on: it imports no feature folder`,
    });
  }
  return patterns;
}

/** SQL only in repositories (ADR 0007): migrations, the database folder, transactions and composed statements aside. */
const sqlOutsideRepositories = {
  files: ['apps/node-pool/src/**/*.ts'],
  ignores: [
    'apps/node-pool/src/**/*.repository.ts',
    'apps/node-pool/src/**/*.spec.ts',
    'apps/node-pool/src/database/**',
    'apps/node-pool/src/common/transaction.ts',
    'apps/node-pool/src/common/composed-statement.ts',
  ],
  rules: {
    'no-restricted-syntax': [
      'error',
      {
        selector: 'CallExpression[callee.property.name=/^(query|createQueryBuilder)$/]',
        message: 'SQL lives in *.repository.ts (ADR 0007): add a repository method',
      },
      {
        selector: 'CallExpression[callee.name="updateReturning"]',
        message: 'SQL lives in *.repository.ts (ADR 0007): add a repository method',
      },
    ],
  },
};

const restrict = (files, patterns, ignores = []) => ({
  files,
  ignores,
  rules: { '@typescript-eslint/no-restricted-imports': ['error', { patterns }] },
});

export const importRules = [
  restrict(['apps/node-pool/src/*.ts'], nodePoolPatterns('')),
  ...folders.map((f) => restrict([`apps/node-pool/src/${f}/**/*.ts`], nodePoolPatterns(f))),
  ...['worker', 'web', 'worker-console', 'cli'].map((app) =>
    restrict([`apps/${app}/**/*.ts`], [otherApps(app)]),
  ),
  // the browser-safe contracts: no package, no Node module (the console bundles them); the Node-only
  // entries (grpc, wireguard, tls) and the DTOs have their own rules
  restrict(
    ['libs/contracts/src/**/*.ts'],
    [
      {
        regex: '^(?!\\.)',
        message: 'the browser-safe contracts import no package: the console bundles them',
      },
    ],
    [
      'libs/contracts/src/dto/**',
      'libs/contracts/src/grpc/**',
      'libs/contracts/src/wireguard/**',
      'libs/contracts/src/tls/**',
      'libs/contracts/src/**/*.spec.ts',
    ],
  ),
  // the REST DTOs: their validation and documentation decorators only
  restrict(
    ['libs/contracts/src/dto/**/*.ts'],
    [
      {
        regex: '^(?!\\.|class-validator$|class-transformer$|@nestjs/swagger$)',
        message: 'the DTOs use class-validator, class-transformer and @nestjs/swagger only',
      },
    ],
  ),
  // the consoles' shared pieces: browser code, bundled by both (Angular, chart.js, rxjs, our contracts)
  restrict(
    ['libs/ui/src/**/*.ts'],
    [
      {
        regex: '^(?!\\.|@angular/|chart\\.js$|rxjs$|@hivemind/contracts$|@hivemind/ui$)',
        message:
          'libs/ui is browser code both consoles bundle: Angular, chart.js, rxjs and the contracts only',
      },
    ],
  ),
  sqlOutsideRepositories,
];
