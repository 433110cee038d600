#!/usr/bin/env node
// The `crosscheck` command (package.json "bin"). Runs the bundle `npm run build` writes.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const bundle = new URL('../dist/cli/crosscheck.mjs', import.meta.url);
if (!existsSync(fileURLToPath(bundle))) {
  process.stderr.write('crosscheck: not built yet; run "npm run build" first\n');
  process.exit(2);
}
await import(bundle.href);
