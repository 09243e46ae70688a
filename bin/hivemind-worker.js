#!/usr/bin/env node
'use strict';
// The `hivemind-worker` command: runs the built worker agent (npm run build compiles it) on Node 24.
const { join } = require('node:path');
const { launch } = require('./runtime');

const root = join(__dirname, '..');
launch(
  'hivemind-worker',
  join(root, 'dist', 'apps', 'worker', 'apps', 'worker', 'src', 'main.js'),
  root,
  '24',
);
