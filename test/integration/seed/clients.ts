/**
 * @module seed/clients — real clients for the seeder and the tests: matrix-js-sdk with its Rust
 * crypto (in-memory store, `initRustCrypto({ useIndexedDB: false })`), signed in with a fixed
 * device ID, syncing. Each client remembers the secret-storage keys it made or was given, and
 * answers user-interactive auth with its password.
 */
import './quietLogs.ts'; // first: before matrix-js-sdk binds the console
import './timers.ts'; // records the timers matrix-js-sdk leaves behind
import { ClientEvent, SyncState, createClient, type MatrixClient } from 'matrix-js-sdk';
import type { CryptoApi } from 'matrix-js-sdk/lib/crypto-api/index.js';
import type { UIAuthCallback } from 'matrix-js-sdk/lib/interactive-auth.js';
import { login, type Credentials } from '../harness/admin.ts';

export interface SeedClient extends Credentials {
  readonly client: MatrixClient;
  readonly crypto: CryptoApi;
  /** Secret-storage keys this client holds, by key ID (given to matrix-js-sdk when it asks). */
  readonly secretStorageKeys: Map<string, Uint8Array>;
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Polls `probe` until it returns something truthy; fails with `what` after `timeoutMs`. */
export async function waitFor<T>(what: string, probe: () => Promise<T | undefined | null | false> | T | undefined | null | false, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let delay = 25; ; delay = Math.min(delay * 2, 250)) {
    try {
      const v = await probe();
      if (v) return v;
    } catch (e) {
      last = e;
    }
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (last error: ${String(last)})` : ''}`);
    await sleep(delay);
  }
}

/** UIA answer for uploading cross-signing keys: the account password (m.login.password). */
export function passwordAuth(c: Credentials): UIAuthCallback<void> {
  return async (makeRequest) => {
    await makeRequest({ type: 'm.login.password', identifier: { type: 'm.id.user', user: c.userId }, password: c.password });
  };
}

/** Signs in `deviceId` and starts a syncing client with Rust crypto. */
export async function startSeedClient(baseUrl: string, userId: string, password: string, deviceId: string): Promise<SeedClient> {
  const creds = await login(baseUrl, userId, password, deviceId);
  return startClientFor(baseUrl, creds);
}

export async function startClientFor(baseUrl: string, creds: Credentials): Promise<SeedClient> {
  const secretStorageKeys = new Map<string, Uint8Array>();
  const client = createClient({
    baseUrl,
    userId: creds.userId,
    deviceId: creds.deviceId,
    accessToken: creds.accessToken,
    cryptoCallbacks: {
      getSecretStorageKey: async ({ keys }) => {
        for (const id of Object.keys(keys)) {
          const k = secretStorageKeys.get(id);
          if (k) return [id, k];
        }
        return null;
      },
      cacheSecretStorageKey: (keyId, _info, key) => {
        secretStorageKeys.set(keyId, key);
      },
    },
  });
  await client.initRustCrypto({ useIndexedDB: false });
  const crypto = client.getCrypto();
  if (!crypto) throw new Error('matrix-js-sdk gave no CryptoApi after initRustCrypto');
  const prepared = new Promise<void>((resolve, reject) => {
    const onSync = (state: SyncState) => {
      if (state === SyncState.Prepared || state === SyncState.Syncing) {
        client.off(ClientEvent.Sync, onSync);
        resolve();
      } else if (state === SyncState.Error) {
        client.off(ClientEvent.Sync, onSync);
        reject(new Error(`${creds.userId}/${creds.deviceId}: first sync failed`));
      }
    };
    client.on(ClientEvent.Sync, onSync);
  });
  await client.startClient({ initialSyncLimit: 1 });
  await prepared;
  return { ...creds, client, crypto, secretStorageKeys };
}

/** Stops syncing and frees the crypto machine. */
export function stopSeedClient(c: SeedClient): void {
  c.client.stopClient();
}
