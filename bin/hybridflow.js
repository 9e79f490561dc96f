#!/usr/bin/env node
// The `hybridflow` command: runs the TypeScript sources directly through tsx (no build step).
require('tsx/cjs');
require('../cli/main.ts');
