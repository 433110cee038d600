/**
 * @module platform/browser — the only importer of webextension-polyfill. Everything else gets the
 * extension API from here, lazily (no API call at module load, STYLE §9.6), so modules stay
 * importable in Node tests and a test can inject a fake with {@link setBrowserForTests}.
 */
import type Browser from 'webextension-polyfill';

let injected: typeof Browser | undefined;
let loaded: typeof Browser | undefined;

/** The extension API (Promise-based in every browser). */
export async function getBrowser(): Promise<typeof Browser> {
  if (injected) return injected;
  if (!loaded) loaded = (await import('webextension-polyfill')).default;
  return loaded;
}

/** Test seam: replaces the extension API for the current process. */
export function setBrowserForTests(fake: typeof Browser | undefined): void {
  injected = fake;
}

export type { Browser };
