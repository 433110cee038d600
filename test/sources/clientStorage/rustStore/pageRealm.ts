/**
 * Runs `readRustStore` the way `scripting.executeScript({ func })` does: from its source text
 * alone, in a fresh realm holding only the page globals a content script has, with the result
 * JSON-round-tripped (the shared harness: test/content/pageRealm.ts). A reference to anything
 * outside the function's body fails here, and the IndexedDB values it reads (fake-indexeddb, in
 * the test's realm) are foreign-realm objects to it, like Firefox's Xray-wrapped page objects.
 */
import { injectedFunctionSource, runInPage, type PageGlobals } from '../../../content/pageRealm.ts';

export type { PageGlobals };

/** The function's source text, as the extension bundle carries it. */
export const readerSource = (): Promise<string> => injectedFunctionSource('src/sources/clientStorage/rustStore/readRustStore.ts', 'readRustStore');

/** Evaluates the reader in a fresh realm, calls it with `args`, and returns its JSON round trip. */
export async function runReaderInPage(page: PageGlobals, args: unknown[] = []): Promise<unknown> {
  return runInPage(await readerSource(), page, args);
}
