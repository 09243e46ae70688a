#!/usr/bin/env node
'use strict';
// `hivemind`: the command line, bundled (see README.md for the runtime it picks).
const { join } = require('node:path');
const { launch } = require('../lib/runtime');

const root = join(__dirname, '..');
launch('hivemind', join(root, 'lib', 'bundle', 'cli.js'), root, '20.18');
