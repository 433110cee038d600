/**
 * @module store/pinStore — our own IndexedDB database (dexie), never the web client's. Versioned:
 * each schema change is a new `db.version(n)` with its upgrade next to it (STYLE §20).
 */
import Dexie, { type Table } from 'dexie';
import { type PinRow, pinsForSnapshot, recordSeen, accept } from './pinLogic.ts';

export const DB_NAME = 'crosscheck';

class CrosscheckDb extends Dexie {
  declare pins: Table<PinRow, [string, string]>;
  constructor() {
    super(DB_NAME);
    // v1: one row per (user, master key) ever seen.
    this.version(1).stores({ pins: '[userId+masterKey], userId' });
  }
}

let db: CrosscheckDb | undefined;
const open = (): CrosscheckDb => (db ??= new CrosscheckDb());

export interface PinStore {
  pinsFor(userIds: readonly string[]): Promise<Record<string, { masterKey: string; firstSeen: string }>>;
  record(seen: ReadonlyMap<string, string>, at: string): Promise<void>;
  history(userId?: string): Promise<PinRow[]>;
  acceptKey(userId: string, masterKey: string, at: string): Promise<boolean>;
}

export const dexiePinStore: PinStore = {
  async pinsFor(userIds) {
    const rows = await open().pins.where('userId').anyOf([...userIds]).toArray();
    return pinsForSnapshot(rows);
  },
  async record(seen, at) {
    const d = open();
    await d.transaction('rw', d.pins, async () => {
      const existing = await d.pins.where('userId').anyOf([...seen.keys()]).toArray();
      await d.pins.bulkPut(recordSeen(existing, seen, at));
    });
  },
  async history(userId) {
    const t = open().pins;
    return userId ? t.where('userId').equals(userId).toArray() : t.toArray();
  },
  async acceptKey(userId, masterKey, at) {
    const d = open();
    const row = await d.pins.get([userId, masterKey]);
    if (!row) return false;
    await d.pins.put(accept(row, at));
    return true;
  },
};
