#!/usr/bin/env node
// Records other-platform optional dependencies that `npm install` left out of package-lock.json.
//
// Why: the npm registry this project is developed against is a snapshot that lacks some
// platform binaries (e.g. @swc/core-darwin-arm64). npm install skips an optional dependency it
// cannot fetch and does not record it, and `npm ci` on a clean clone then refuses the lock file
// ("Missing: @swc/core-darwin-arm64@ from lock file"). This script adds each missing optional
// dependency with the os/cpu/libc its name declares, so `npm ci` skips it on other platforms
// (and fetches it from a full registry on the platform it is for).
//
// Usage: node scripts/complete-lockfile.mjs [--check]   (idempotent; --check exits 1 if incomplete)
import { readFileSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const lockPath = join(root, 'package-lock.json');
const check = process.argv.includes('--check');

const OS = [
  'darwin',
  'linux',
  'win32',
  'freebsd',
  'android',
  'openharmony',
  'sunos',
  'aix',
  'netbsd',
  'openbsd',
];
const CPU = ['arm64', 'x64', 'ia32', 'ppc64', 's390x', 'riscv64', 'loong64', 'mips64el', 'wasm32', 'arm'];

/** Infers the platform fields npm would read from the package's manifest, from its name. */
export function platformOf(name) {
  const parts = name.toLowerCase().split(/[-/@_]/);
  const os = OS.filter((o) => parts.includes(o) || (o === 'win32' && parts.includes('windows')));
  let cpu = CPU.filter(
    (c) =>
      parts.includes(c) ||
      parts.some((p) => p.startsWith(c) && /^(arm|x64)/.test(p) && c === p.replace(/(eabihf|eabi|hf)$/, '')),
  );
  if (parts.includes('universal')) cpu = ['x64', 'arm64'];
  if (parts.includes('gnueabihf') || parts.includes('musleabihf') || parts.includes('armv7')) cpu = ['arm'];
  if (cpu.includes('wasm32')) return { cpu: ['wasm32'] };
  const libc = parts.some((p) => p.startsWith('musl'))
    ? ['musl']
    : parts.some((p) => p.startsWith('gnu') || p === 'glibc')
      ? ['glibc']
      : undefined;
  if (os.length === 0 && cpu.length === 0) return undefined;
  return { ...(os.length ? { os } : {}), ...(cpu.length ? { cpu } : {}), ...(libc ? { libc } : {}) };
}

function resolveFrom(packages, fromPath, dep) {
  let base = fromPath;
  for (;;) {
    const candidate = base ? `${base}/node_modules/${dep}` : `node_modules/${dep}`;
    if (packages[candidate]) return candidate;
    if (!base) return undefined;
    const idx = base.lastIndexOf('node_modules/');
    base = idx <= 0 ? '' : base.slice(0, idx - 1);
  }
}

const lock = JSON.parse(readFileSync(lockPath, 'utf8'));
const packages = lock.packages;
const added = [];
const unknown = [];
for (const [path, meta] of Object.entries(packages)) {
  for (const [dep, spec] of Object.entries(meta.optionalDependencies ?? {})) {
    if (resolveFrom(packages, path, dep)) continue;
    const platform = platformOf(dep);
    if (!platform) {
      unknown.push(`${dep} (optional dependency of ${path || 'the root'})`);
      continue;
    }
    const at = packages[`node_modules/${dep}`] ? `${path}/node_modules/${dep}` : `node_modules/${dep}`;
    const version = String(spec)
      .replace(/^[\^~=v]+/, '')
      .split(/\s/)[0];
    packages[at] = { version, ...platform, optional: true };
    added.push(`${dep}@${version}`);
  }
}
if (unknown.length) {
  console.error(`complete-lockfile: cannot tell the platform of: ${unknown.join(', ')}`);
  process.exit(1);
}
if (check) {
  if (added.length) {
    console.error(
      `package-lock.json lacks ${added.length} optional platform packages (e.g. ${added[0]}); run: npm run lockfile:complete`,
    );
    process.exit(1);
  }
  process.exit(0);
}
if (added.length) {
  lock.packages = Object.fromEntries(
    Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a < b ? -1 : 1)),
  );
  writeFileSync(lockPath, JSON.stringify(lock, null, 2) + '\n');
}
console.log(`complete-lockfile: ${added.length} optional platform packages recorded`);
