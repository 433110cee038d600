/**
 * Runs `readElementSession` the way `scripting.executeScript({ func })` does: from its source
 * text alone, in another realm, with only the page globals a content script has. The source is
 * the esbuild output of src/content/readElementSession.ts with build.mjs's settings (no
 * keepNames: tsx's loader would inject a `__name` helper that the shipped bundle does not have).
 * A reference to anything outside the function's body is a ReferenceError here, and the page
 * values it gets (from fake-indexeddb, in the test's realm) are foreign-realm objects to it, as
 * IndexedDB values are Xray-wrapped page objects in a Firefox content script.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { webcrypto } from 'node:crypto';
import vm from 'node:vm';
import { transform } from 'esbuild';

const sources = new Map<string, string>();

/**
 * The source text of an injected function, as the extension bundle carries it.
 * @param path the module, relative to the repository root
 * @param name the exported function
 */
export async function injectedFunctionSource(path: string, name: string): Promise<string> {
  const key = `${path}#${name}`;
  const hit = sources.get(key);
  if (hit) return hit;
  const file = fileURLToPath(new URL(`../../${path}`, import.meta.url));
  const out = await transform(readFileSync(file, 'utf8'), { loader: 'ts', format: 'esm', target: 'es2022', keepNames: false, minify: false });
  if (/^\s*import\s/m.test(out.code)) throw new Error(`${path} keeps a runtime import: an injected function must be self-contained`);
  const mod = (await import(`data:text/javascript;base64,${Buffer.from(out.code).toString('base64')}`)) as Record<string, unknown>;
  const fn = mod[name];
  if (typeof fn !== 'function') throw new Error(`${path} does not export the function ${name}`);
  const text = (fn as (...a: unknown[]) => unknown).toString();
  sources.set(key, text);
  return text;
}

/** The session reader's source text. */
export const pageFunctionSource = (): Promise<string> => injectedFunctionSource('src/content/readElementSession.ts', 'readElementSession');

export interface PageGlobals {
  readonly localStorage: Storage;
  readonly indexedDB?: IDBFactory;
  /** Defaults to Node's WebCrypto; a test may pass a recording one. */
  readonly crypto?: Crypto;
  /** Further globals, or replacements of the realm's own (e.g. a `Uint8Array` that acts like Firefox's Xrays). */
  readonly globals?: Readonly<Record<string, unknown>>;
}

/** Evaluates the source in a fresh realm with the page's storage, calls it, and JSON-round-trips the result (as executeScript does). */
export async function runInPage(source: string, page: PageGlobals, args: unknown[] = []): Promise<unknown> {
  const context = vm.createContext({
    localStorage: page.localStorage,
    ...(page.indexedDB ? { indexedDB: page.indexedDB } : {}),
    crypto: page.crypto ?? webcrypto,
    atob,
    btoa,
    TextDecoder,
    TextEncoder,
    setTimeout,
    clearTimeout,
    ...page.globals,
  });
  const fn = vm.runInContext(`(${source})`, context) as (...a: unknown[]) => Promise<unknown>;
  const result = await fn(...args);
  return JSON.parse(JSON.stringify(result)) as unknown;
}
