// Bundles the end-to-end test page (./main.ts: matrix-js-sdk + Element's session write path) for
// the browser with esbuild, into test-output/e2e/page/app.js (ignored by git, never committed).
// Plain JavaScript so test/e2e/setup.mjs can run it before tsx is in play (it bundles every run,
// in about half a second); a test file run on its own bundles when the bundle is missing or stale.
import { build } from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const pageBundle = join(repoRoot, 'test-output', 'e2e', 'page', 'app.js');
/**
 * The crypto-wasm binary the bundle's matrix-sdk-crypto-wasm fetches: its default URL is
 * `new URL('./pkg/matrix_sdk_crypto_wasm_bg.wasm', import.meta.url)`, and the ESM bundle keeps
 * import.meta.url (/app.js), so it sits at /pkg/… next to the bundle. Copied from the very package
 * esbuild bundled (matrix-js-sdk's nested one when it has its own).
 */
export const pageWasm = join(repoRoot, 'test-output', 'e2e', 'page', 'pkg', 'matrix_sdk_crypto_wasm_bg.wasm');
const sources = [join(repoRoot, 'test', 'e2e', 'page', 'main.ts'), join(repoRoot, 'test', 'content', 'elementWebWrite.ts'), join(repoRoot, 'node_modules', 'matrix-js-sdk', 'package.json')];

/** True when the bundle exists and is newer than its own sources (and the installed matrix-js-sdk). */
export function pageBundleFresh() {
  if (!existsSync(pageBundle) || !existsSync(pageWasm)) return false;
  const built = statSync(pageBundle).mtimeMs;
  return sources.every((s) => statSync(s).mtimeMs <= built);
}

/** Writes the bundle; returns its size in bytes. */
export async function bundleTestPage() {
  const result = await build({
    absWorkingDir: repoRoot,
    entryPoints: [sources[0]],
    outfile: pageBundle,
    bundle: true,
    platform: 'browser',
    format: 'esm',
    target: 'chrome120',
    sourcemap: 'linked',
    metafile: true,
    logLevel: 'warning',
  });
  const glue = Object.keys(result.metafile.inputs).filter((k) => /matrix-sdk-crypto-wasm\/pkg\/matrix_sdk_crypto_wasm_bg\.js$/.test(k));
  if (glue.length !== 1) throw new Error(`expected one matrix-sdk-crypto-wasm in the test page bundle, found ${glue.length}`);
  mkdirSync(dirname(pageWasm), { recursive: true });
  copyFileSync(join(repoRoot, dirname(glue[0]), 'matrix_sdk_crypto_wasm_bg.wasm'), pageWasm);
  const out = Object.entries(result.metafile.outputs).find(([k]) => k.endsWith('.js'));
  return out ? out[1].bytes : 0;
}

/** Bundles unless the bundle is already fresh. */
export async function ensureTestPage(log = () => {}) {
  if (pageBundleFresh()) return;
  const bytes = await bundleTestPage();
  log(`test page bundled: ${pageBundle} (${(bytes / 1024 / 1024).toFixed(1)} MiB)`);
}
