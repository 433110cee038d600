/**
 * Runs `readRustStore` the way `scripting.executeScript({ func })` does: from its source text
 * alone (esbuild output with build.mjs's settings), in a fresh realm holding only the page globals
 * a content script has, with the result JSON-round-tripped. A reference to anything outside the
 * function's body fails here, and the IndexedDB values it reads (fake-indexeddb, in the test's
 * realm) are foreign-realm objects to it, like Firefox's Xray-wrapped page objects.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { webcrypto } from 'node:crypto';
import vm from 'node:vm';
import { transform } from 'esbuild';

const file = fileURLToPath(new URL('../../../../src/sources/clientStorage/rustStore/readRustStore.ts', import.meta.url));
let cached: string | undefined;

/** The function's source text, as the extension bundle would carry it. */
export async function readerSource(): Promise<string> {
  if (cached) return cached;
  const out = await transform(readFileSync(file, 'utf8'), { loader: 'ts', format: 'esm', target: 'es2022', keepNames: false, minify: false });
  if (/^\s*import\s/m.test(out.code)) throw new Error('readRustStore.ts keeps a runtime import: it must be self-contained');
  const mod = (await import(`data:text/javascript;base64,${Buffer.from(out.code).toString('base64')}`)) as { readRustStore?: unknown };
  if (typeof mod.readRustStore !== 'function') throw new Error('readRustStore.ts does not export the function readRustStore');
  cached = (mod.readRustStore as (...a: unknown[]) => unknown).toString();
  return cached;
}

export interface PageGlobals {
  readonly localStorage: Storage;
  readonly indexedDB?: IDBFactory;
  readonly crypto?: Crypto;
}

/** Evaluates the reader in a fresh realm, calls it with `args`, and returns its JSON round trip. */
export async function runReaderInPage(page: PageGlobals, args: unknown[] = []): Promise<unknown> {
  const source = await readerSource();
  const context = vm.createContext({
    localStorage: page.localStorage,
    ...(page.indexedDB ? { indexedDB: page.indexedDB } : {}),
    crypto: page.crypto ?? webcrypto,
    atob,
    btoa,
    setTimeout,
    clearTimeout,
  });
  const fn = vm.runInContext(`(${source})`, context) as (...a: unknown[]) => Promise<unknown>;
  const result = await fn(...args);
  return JSON.parse(JSON.stringify(result)) as unknown;
}
