#!/usr/bin/env node
// Builds every bundle with esbuild: the CLI, and the extension once per browser into dist/<browser>/
// with its own manifest. The build fails if a bundle holds what it must not (DESIGN.md "Layout").
//   node build.mjs                      CLI + chrome + firefox (release)
//   node build.mjs --only cli|chrome|firefox
//   node build.mjs --test-build         also dist/chrome-test and dist/firefox-test (see TEST_BUILD)
import { build } from 'esbuild';
import { readFileSync, mkdirSync, rmSync, cpSync, writeFileSync, existsSync } from 'node:fs';

const pkg = JSON.parse(readFileSync(new URL('./package.json', import.meta.url), 'utf8'));
const args = process.argv.slice(2);
const only = args.includes('--only') ? args[args.indexOf('--only') + 1] : undefined;
const testBuild = args.includes('--test-build');

/**
 * Everything a test build adds, in one place (DESIGN.md "Testing the extension in a real browser").
 * A toolbar click (which grants activeTab) cannot be scripted, so end-to-end tests get host access
 * to the loopback test origins only, and open the popup page as a tab naming the target tab.
 * Firefox match patterns cannot carry a port, so these are host-only. test/build.test.ts asserts
 * the release manifests contain none of it.
 */
export const TEST_BUILD = {
  host_permissions: ['http://127.0.0.1/*', 'http://localhost/*'],
  define: { CROSSCHECK_TEST_BUILD: 'true' },
};

/** Per-browser manifest differences (root manifest.json holds the rest). */
const BROWSERS = {
  chrome: {
    manifest: {
      background: { service_worker: 'background.js' },
      // Closed to every other extension and web page (security.md §5).
      externally_connectable: { ids: [], matches: [] },
      minimum_chrome_version: '120',
    },
    // The Worker runs in an offscreen document: a service worker cannot start a Worker.
    extraPermissions: ['offscreen'],
    bundles: ['background', 'worker', 'popup', 'offscreen'],
    staticFiles: ['popup.html', 'popup.css', 'offscreen.html', 'icons', 'demo'],
  },
  firefox: {
    manifest: {
      background: { scripts: ['background.js'] },
      browser_specific_settings: {
        gecko: {
          id: 'crosscheck@crosscheck.invalid',
          // 140: the first version that knows data_collection_permissions (web-ext lint).
          strict_min_version: '140.0',
          // Nothing is collected by or sent to us; the token goes only to the user's own homeserver.
          data_collection_permissions: { required: ['none'] },
        },
        gecko_android: { strict_min_version: '142.0' },
      },
    },
    extraPermissions: [],
    bundles: ['background', 'worker', 'popup'],
    staticFiles: ['popup.html', 'popup.css', 'icons', 'demo'],
  },
};

/** Extension bundles: entry, and the packages that must never be inside (DESIGN.md, STYLE §30). */
const BUNDLES = {
  background: { entry: 'src/background/main.ts', forbidden: ['preact', '@noble/curves', '@noble/ciphers'] },
  worker: { entry: 'src/worker/main.ts', forbidden: ['preact', 'webextension-polyfill', 'dexie'] },
  popup: { entry: 'src/popup/main.tsx', forbidden: ['@noble/curves', '@noble/ciphers', 'dexie'] },
  offscreen: { entry: 'src/background/offscreen.ts', forbidden: ['preact', '@noble/curves', '@noble/ciphers', 'dexie'] },
};

const CLI = { entry: 'src/cli/crosscheck.ts', outfile: 'dist/cli/crosscheck.mjs', forbidden: ['webextension-polyfill', 'preact', 'dexie'] };

function guard(name, metafile, forbidden) {
  const inputs = Object.keys(metafile.inputs);
  for (const f of forbidden) {
    const hit = inputs.find((i) => i.includes(`node_modules/${f}/`) || i.includes(`node_modules/${f}.`));
    if (hit) throw new Error(`build: the ${name} bundle must not contain ${f} (pulled in by ${hit})`);
  }
}

const sizes = {};

async function bundle(name, { entry, outfile, forbidden, platform = 'browser', format = 'iife', define = {} }) {
  const result = await build({
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform,
    format,
    target: platform === 'node' ? 'node20' : ['chrome120', 'firefox128'],
    sourcemap: platform === 'node' ? true : 'linked',
    minify: false,
    metafile: true,
    legalComments: 'linked',
    charset: 'utf8',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    define: { CROSSCHECK_VERSION: JSON.stringify(pkg.version), CROSSCHECK_TEST_BUILD: 'false', ...define },
    logLevel: 'warning',
  });
  guard(name, result.metafile, forbidden);
  const out = Object.entries(result.metafile.outputs).find(([k]) => k.endsWith('.js') || k.endsWith('.mjs'));
  sizes[outfile] = out ? out[1].bytes : 0;
}

async function buildBrowser(browser, test) {
  const spec = BROWSERS[browser];
  const dir = `dist/${browser}${test ? '-test' : ''}`;
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const define = { BUILD_TARGET: JSON.stringify(browser), ...(test ? TEST_BUILD.define : {}) };
  for (const b of spec.bundles) await bundle(`${browser} ${b}`, { ...BUNDLES[b], outfile: `${dir}/${b}.js`, define });
  for (const f of spec.staticFiles) if (existsSync(`extension/${f}`)) cpSync(`extension/${f}`, `${dir}/${f}`, { recursive: true });
  const root = JSON.parse(readFileSync('manifest.json', 'utf8'));
  const manifest = {
    ...root,
    version: pkg.version,
    ...spec.manifest,
    permissions: [...root.permissions, ...spec.extraPermissions],
    ...(test ? { host_permissions: TEST_BUILD.host_permissions } : {}),
  };
  writeFileSync(`${dir}/manifest.json`, `${JSON.stringify(manifest, null, 2)}\n`);
  console.log(`build: ${dir}/ (${spec.bundles.map((b) => `${b}.js ${((sizes[`${dir}/${b}.js`] ?? 0) / 1024).toFixed(0)} KiB`).join(', ')})`);
}

if (!only || only === 'cli') {
  await bundle('cli', { ...CLI, platform: 'node', format: 'esm' });
  console.log(`build: ${CLI.outfile} (${((sizes[CLI.outfile] ?? 0) / 1024).toFixed(0)} KiB)`);
}
for (const browser of Object.keys(BROWSERS)) {
  if (only && only !== browser) continue;
  await buildBrowser(browser, false);
  if (testBuild) await buildBrowser(browser, true);
}
