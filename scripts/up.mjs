#!/usr/bin/env node
// `npm run up`: installs the npm dependencies when they are missing or stale (npm ci), builds what
// changed since the last build (not with --no-build: it starts what dist/ holds), then hands over
// to the launcher (libs/local-stack/src/up.ts) on the project's pinned Node 24. Plain JavaScript
// with no dependencies: it runs before they exist.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = (...p) => join(root, ...p);
const mtime = (file) => (existsSync(file) ? statSync(file).mtimeMs : 0);
const say = (line) => process.stdout.write(`[up] ${line}\n`);

function newest(path) {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let latest = stat.mtimeMs;
  for (const entry of readdirSync(path)) {
    if (entry === 'node_modules' || entry === 'dist' || entry.startsWith('.')) continue;
    latest = Math.max(latest, newest(join(path, entry)));
  }
  return latest;
}

function run(command, args, env = process.env) {
  const result = spawnSync(command, args, { cwd: root, stdio: 'inherit', env });
  if (result.status !== 0) {
    process.stderr.write(
      `[up] \`${command} ${args.join(' ')}\` failed (exit ${result.status ?? result.signal})\n`,
    );
    process.exit(1);
  }
}

if (mtime(at('node_modules/.package-lock.json')) < mtime(at('package-lock.json'))) {
  say('installing npm dependencies (npm ci)');
  run('npm', ['ci']);
}
// `npm test` runs this first (pretest) so that it, too, works on a fresh clone.
if (process.argv.includes('--deps-only')) process.exit(0);

const node = existsSync(at('node_modules/.bin/node')) ? at('node_modules/.bin/node') : process.execPath;
const env = { ...process.env, PATH: `${at('node_modules/.bin')}:${process.env.PATH ?? ''}` };
const stamp = at('dist/.build-stamp');
const sources = [
  'apps',
  'libs',
  'docker',
  'angular.json',
  'nest-cli.json',
  'tsconfig.json',
  'tsconfig.browser.json',
  'package-lock.json',
];
const args = process.argv.slice(2);
const noBuild = args.includes('--no-build');
if (!noBuild && Math.max(...sources.map((s) => newest(at(s)))) > mtime(stamp)) {
  say('building (npm run build)');
  run('npm', ['run', 'build'], env);
  writeFileSync(stamp, new Date().toISOString() + '\n');
}

const launcher = spawn(
  node,
  [at('dist/libs/local-stack/libs/local-stack/src/up.js'), ...args.filter((a) => a !== '--no-build')],
  {
    cwd: root,
    stdio: 'inherit',
    env,
  },
);
// The launcher stops everything it started; we wait for it (a second signal changes nothing).
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => launcher.kill(signal));
launcher.on('exit', (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
