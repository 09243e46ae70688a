#!/usr/bin/env node
'use strict';
// The `hivemind` command: runs the built CLI (npm run build compiles it).
const { existsSync } = require('node:fs');
const { join } = require('node:path');

const entry = join(__dirname, '..', 'dist', 'apps', 'cli', 'apps', 'cli', 'src', 'main.js');
if (!existsSync(entry)) {
  process.stderr.write(
    `hivemind: the CLI is not built yet; run \`npm run build\` in ${join(__dirname, '..')}\n`,
  );
  process.exit(1);
}
require(entry);
