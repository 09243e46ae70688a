#!/usr/bin/env node
'use strict';
// The `hivemind` command: runs the built CLI (npm run build compiles it) on Node 24.
const { join } = require('node:path');
const { launch } = require('./runtime');

const root = join(__dirname, '..');
launch('hivemind', join(root, 'dist', 'apps', 'cli', 'apps', 'cli', 'src', 'main.js'), root, '24');
