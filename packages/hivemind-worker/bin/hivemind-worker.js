#!/usr/bin/env node
'use strict';
// `hivemind-worker`: the worker agent, bundled (see README.md for the runtime it picks).
const { join } = require('node:path');
const { launch } = require('../lib/runtime');

const root = join(__dirname, '..');
launch('hivemind-worker', join(root, 'lib', 'bundle', 'worker.js'), root, '20.18');
