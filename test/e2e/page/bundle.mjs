// Bundles the end-to-end test page (./main.ts: matrix-js-sdk + Element's session write path) for
// the browser with esbuild, into test-output/e2e/page/app.js (ignored by git, never committed).
// Plain JavaScript so test/e2e/setup.mjs can run it before tsx is in play (it bundles every run,
// in about half a second); a test file run on its own bundles when the bundle is missing or stale.
import { build } from 'esbuild';
import { existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
export const pageBundle = join(repoRoot, 'test-output', 'e2e', 'page', 'app.js');
const sources = [join(repoRoot, 'test', 'e2e', 'page', 'main.ts'), join(repoRoot, 'test', 'content', 'elementWebWrite.ts'), join(repoRoot, 'node_modules', 'matrix-js-sdk', 'package.json')];

/** True when the bundle exists and is newer than its own sources (and the installed matrix-js-sdk). */
export function pageBundleFresh() {
  if (!existsSync(pageBundle)) return false;
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
  const out = Object.entries(result.metafile.outputs).find(([k]) => k.endsWith('.js'));
  return out ? out[1].bytes : 0;
}

/** Bundles unless the bundle is already fresh. */
export async function ensureTestPage(log = () => {}) {
  if (pageBundleFresh()) return;
  const bytes = await bundleTestPage();
  log(`test page bundled: ${pageBundle} (${(bytes / 1024 / 1024).toFixed(1)} MiB)`);
}
