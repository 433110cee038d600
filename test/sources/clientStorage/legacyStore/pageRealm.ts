/**
 * Runs `readLegacyStore` the way `scripting.executeScript({ func })` does: from its source text
 * alone, in a fresh realm holding only the page globals a content script has, with the result
 * JSON-round-tripped (the shared harness: test/content/pageRealm.ts). IndexedDB values
 * (fake-indexeddb, in the test's realm) are foreign-realm objects to it, like Firefox's Xray
 * page objects.
 */
import { injectedFunctionSource, runInPage, type PageGlobals } from '../../../content/pageRealm.ts';

export type { PageGlobals };

export const legacyReaderSource = (): Promise<string> => injectedFunctionSource('src/sources/clientStorage/legacyStore/readLegacyStore.ts', 'readLegacyStore');

export async function runLegacyReaderInPage(page: PageGlobals, args: unknown[] = []): Promise<unknown> {
  return runInPage(await legacyReaderSource(), page, args);
}
