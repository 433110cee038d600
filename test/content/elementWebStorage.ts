/**
 * A fake Element Web origin for tests: a localStorage that logs every read and write, and an
 * IndexedDB (fake-indexeddb), filled THE WAY ELEMENT FILLS THEM. The write path itself (what
 * Element writes, from reading element-web's and matrix-js-sdk's source; no code copied) is in
 * ./elementWebWrite.ts, shared with the end-to-end test page, which runs it against a real
 * browser's storage; it is re-exported here. This file adds what only Node tests need: the
 * logging fake, and dumping and recording IndexedDB.
 */
import { IDBFactory, IDBDatabase, IDBObjectStore } from 'fake-indexeddb';
import type { ElementOrigin } from './elementWebWrite.ts';

export * from './elementWebWrite.ts';

/** A localStorage that logs every key read and every write (and performs the writes, so a snapshot sees them too). */
export class FakeLocalStorage implements Storage {
  readonly #items = new Map<string, string>();
  readonly reads: string[] = [];
  readonly writes: string[] = [];
  [name: string]: unknown;
  get length(): number {
    return this.#items.size;
  }
  key(i: number): string | null {
    return [...this.#items.keys()][i] ?? null;
  }
  getItem(key: string): string | null {
    this.reads.push(key);
    return this.#items.get(key) ?? null;
  }
  setItem(key: string, value: string): void {
    this.writes.push(`set ${key}`);
    this.#items.set(key, String(value));
  }
  removeItem(key: string): void {
    this.writes.push(`remove ${key}`);
    this.#items.delete(key);
  }
  clear(): void {
    this.writes.push('clear');
    this.#items.clear();
  }
  /** For fixtures: write without logging (Element's writes happen before the read under test). */
  seed(key: string, value: string): void {
    this.#items.set(key, value);
  }
  unseed(key: string): void {
    this.#items.delete(key);
  }
  entries(): [string, string][] {
    return [...this.#items.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
}

/** One origin's storage, as a page (and our content script) sees it: Element's, with the logging fake. */
export interface FakeOrigin extends ElementOrigin {
  readonly localStorage: FakeLocalStorage;
  readonly indexedDB: IDBFactory;
}

export function newOrigin(): FakeOrigin {
  return { localStorage: new FakeLocalStorage(), indexedDB: new IDBFactory() };
}

// ---------- what the tests compare ----------
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');

function describeValue(v: unknown): unknown {
  if (v === undefined) return '<undefined>';
  if (v instanceof ArrayBuffer) return `ArrayBuffer:${hex(new Uint8Array(v))}`;
  if (ArrayBuffer.isView(v)) return `${v.constructor.name}:${hex(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))}`;
  if (v instanceof CryptoKey) return `CryptoKey:${JSON.stringify(v.algorithm)}:${v.extractable}:${v.usages.join(',')}`;
  if (Array.isArray(v)) return v.map(describeValue);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, describeValue(x)]));
  return v;
}

/** Every database, version, store, key and value of the origin (read with the test's own connections, then closed). */
export async function dumpIndexedDB(factory: IDBFactory): Promise<unknown> {
  const out: Record<string, unknown> = {};
  const list = await factory.databases();
  for (const info of list.sort((a, b) => String(a.name).localeCompare(String(b.name)))) {
    const name = info.name as string;
    const db = await new Promise<IDBDatabase>((resolve, reject) => {
      const r = factory.open(name);
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error);
    });
    const stores: Record<string, unknown> = {};
    for (const storeName of [...db.objectStoreNames].sort()) {
      stores[storeName] = await new Promise((resolve, reject) => {
        const rows: unknown[] = [];
        const cursor = db.transaction([storeName], 'readonly').objectStore(storeName).openCursor();
        cursor.onerror = () => reject(cursor.error);
        cursor.onsuccess = () => {
          try {
            const c = cursor.result;
            if (!c) return resolve(rows);
            rows.push([describeValue(c.key), describeValue(c.value)]);
            c.continue();
          } catch (e) {
            reject(e);
          }
        };
      });
    }
    out[`${name}@v${db.version}`] = stores;
    db.close();
  }
  return out;
}

/** What the code under test did to IndexedDB, recorded on fake-indexeddb's prototypes. */
export interface IdbLog {
  opens: { name: string; withVersion: boolean }[];
  connections: IDBDatabase[];
  transactions: { stores: string[]; mode: string }[];
  gets: { store: string; key: unknown }[];
  writes: string[];
}

/**
 * Records every IndexedDB call made while `fn` runs (and only then): opens (with or without a
 * version), the connections they produced, transactions and their modes, gets, and any write.
 */
export async function recordIndexedDB<T>(factory: IDBFactory, fn: (factory: IDBFactory) => Promise<T>): Promise<{ value: T; log: IdbLog }> {
  const log: IdbLog = { opens: [], connections: [], transactions: [], gets: [], writes: [] };
  const dbProto = IDBDatabase.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const storeProto = IDBObjectStore.prototype as unknown as Record<string, (...a: unknown[]) => unknown>;
  const saved = { transaction: dbProto['transaction'], get: storeProto['get'], put: storeProto['put'], add: storeProto['add'], delete: storeProto['delete'], clear: storeProto['clear'] };
  dbProto['transaction'] = function (this: IDBDatabase, stores: unknown, mode?: unknown, ...rest: unknown[]) {
    log.transactions.push({ stores: Array.isArray(stores) ? [...(stores as string[])] : [String(stores)], mode: typeof mode === 'string' ? mode : 'readonly' });
    return (saved.transaction as (...a: unknown[]) => unknown).call(this, stores, mode, ...rest);
  };
  storeProto['get'] = function (this: IDBObjectStore, key: unknown) {
    log.gets.push({ store: this.name, key: Array.isArray(key) ? [...key] : key });
    return (saved.get as (...a: unknown[]) => unknown).call(this, key);
  };
  for (const m of ['put', 'add', 'delete', 'clear'] as const)
    storeProto[m] = function (this: IDBObjectStore, ...a: unknown[]) {
      log.writes.push(`${m} ${this.name}`);
      return (saved[m] as (...a: unknown[]) => unknown).call(this, ...a);
    };
  const recording: IDBFactory = {
    open(name: string, version?: number) {
      log.opens.push({ name, withVersion: arguments.length > 1 });
      const request = arguments.length > 1 ? factory.open(name, version) : factory.open(name);
      request.addEventListener('success', () => log.connections.push(request.result));
      return request;
    },
    databases: () => factory.databases(),
    deleteDatabase(name: string) {
      log.writes.push(`deleteDatabase ${name}`);
      return factory.deleteDatabase(name);
    },
    cmp: (a: unknown, b: unknown) => factory.cmp(a, b),
  };
  try {
    return { value: await fn(recording), log };
  } finally {
    dbProto['transaction'] = saved.transaction as (...a: unknown[]) => unknown;
    for (const m of ['get', 'put', 'add', 'delete', 'clear'] as const) storeProto[m] = saved[m] as (...a: unknown[]) => unknown;
  }
}

/** True when `db` is closed (a closed connection refuses new transactions with InvalidStateError). */
export function isClosed(db: IDBDatabase): boolean {
  try {
    db.transaction([...db.objectStoreNames].slice(0, 1), 'readonly');
    return false;
  } catch (e) {
    return (e as { name?: string }).name === 'InvalidStateError';
  }
}
