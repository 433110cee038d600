#!/usr/bin/env node
// Builds every bundle with esbuild. One entry per context; the extension's entries (issue 4)
// join this table. `node build.mjs` builds all; `--only cli` builds one.
import { build } from 'esbuild';
import { readFileSync, mkdirSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const only = process.argv.includes('--only') ? process.argv[process.argv.indexOf('--only') + 1] : undefined;

/** Each target: entry, output, platform, and what must never end up inside it. */
const TARGETS = {
  cli: {
    entryPoints: ['src/cli/crosscheck.ts'],
    outfile: 'dist/cli/crosscheck.mjs',
    platform: 'node',
    format: 'esm',
    forbidden: ['webextension-polyfill', 'preact', 'dexie'],
  },
};

async function buildTarget(name, t) {
  mkdirSync('dist', { recursive: true });
  const result = await build({
    entryPoints: t.entryPoints,
    outfile: t.outfile,
    bundle: true,
    platform: t.platform,
    format: t.format,
    target: 'es2022',
    sourcemap: true,
    metafile: true,
    legalComments: 'linked',
    define: { CROSSCHECK_VERSION: JSON.stringify(pkg.version) },
    logLevel: 'warning',
  });
  const inputs = Object.keys(result.metafile.inputs);
  for (const f of t.forbidden) {
    const hit = inputs.find((i) => i.includes(`node_modules/${f}/`));
    if (hit) throw new Error(`build: ${name} bundle must not contain ${f} (pulled in by ${hit})`);
  }
  const bytes = Object.values(result.metafile.outputs).reduce((n, o) => n + o.bytes, 0);
  console.log(`build: ${name} → ${t.outfile} (${(bytes / 1024).toFixed(0)} KiB with map)`);
}

for (const [name, t] of Object.entries(TARGETS)) if (!only || only === name) await buildTarget(name, t);
