#!/usr/bin/env node
// Runs every test with node's built-in runner (TypeScript through tsx).
// Node 20's `--test` takes no globs, so the files are listed here.
//   node test/run.mjs                 all suites: unit, then integration (Synapse), then e2e
//                                     (Chromium), then e2e-firefox (Firefox ESR)
//   node test/run.mjs --only unit     just the pure unit tests (no network, no browser)
//   node test/run.mjs --only integration|e2e|e2e-firefox
import { readdirSync, statSync, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const filter = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--only');

function walk(dir) {
  const out = [];
  for (const name of readdirSync(dir)) {
    if (name === 'node_modules' || name.startsWith('.')) continue;
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else if (name.endsWith('.test.ts') || name.endsWith('.test.tsx')) out.push(p);
  }
  return out.sort();
}

const suiteOf = (f) => {
  const r = relative(join(root, 'test'), f);
  if (r.startsWith('integration')) return 'integration';
  if (r.startsWith('e2e-firefox')) return 'e2e-firefox';
  if (r.startsWith('e2e')) return 'e2e';
  return 'unit';
};

const suites = only ? [only] : ['unit', 'integration', 'e2e', 'e2e-firefox'];
let failed = false;
if (!only || only === 'unit') {
  // Types are part of the contract (strict, noUncheckedIndexedAccess): a type error fails the run.
  console.log('# typecheck (tsc --noEmit)');
  const tsc = spawnSync(process.execPath, [join(root, 'node_modules', 'typescript', 'bin', 'tsc'), '--noEmit', '-p', join(root, 'tsconfig.json')], { stdio: 'inherit', cwd: root });
  if (tsc.status !== 0) failed = true;
}
for (const suite of suites) {
  const files = walk(join(root, 'test')).filter((f) => suiteOf(f) === suite && (!filter || f.includes(filter)));
  if (files.length === 0) continue;
  const setup = join(root, 'test', suite, 'setup.mjs');
  if (existsSync(setup)) {
    const s = spawnSync(process.execPath, [setup], { stdio: 'inherit', cwd: root });
    if (s.status !== 0) {
      console.error(`test/run: ${suite} setup failed (exit ${s.status})`);
      failed = true;
      continue;
    }
  }
  console.log(`\n# ${suite}: ${files.length} file(s)`);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', '--test', '--test-concurrency=1', '--test-reporter=spec', ...files.map((f) => relative(root, f))],
    { stdio: 'inherit', cwd: root, env: { ...process.env, CROSSCHECK_TEST_SUITE: suite } },
  );
  if (r.status !== 0) failed = true;
}
process.exit(failed ? 1 : 0);
