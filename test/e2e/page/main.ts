/**
 * The end-to-end test page: a real signed-in matrix-js-sdk client in the browser, standing in for
 * Element Web. It reads the credentials of a device the Node seeder created (GET /session.json
 * from the test's static server), stores the session THE WAY ELEMENT DOES with the same write path
 * the Node fixture uses (test/content/elementWebWrite.ts: real localStorage, real IndexedDB
 * `matrix-react-sdk` with a non-extractable AES-GCM pickle key, the token encrypted per
 * tokens.ts), then starts the client and waits for its first sync, as Element's Lifecycle.ts does
 * (persist the credentials, then start the client). No crypto in the page: the seeder's Node
 * client uploaded this device's keys; Crosscheck reads only the session and the homeserver.
 *
 * Second mode ("login", when /session.json carries a password instead of a token): the page logs a
 * NEW device in by password, stores the session Element's way (which creates the pickle key), then
 * calls `initRustCrypto({ storageKey })` with that pickle key's 32 raw bytes, as Element's
 * MatrixClientPeg does for a 43-character pickle key (docs client-storage.md §3.2), so the rust
 * crypto store `matrix-js-sdk::matrix-sdk-crypto` is written by the real crypto-wasm in this
 * origin's IndexedDB; it is done when the server lists the device's keys. The WASM is fetched
 * from /pkg/matrix_sdk_crypto_wasm_bg.wasm (next to /app.js: the package's default URL is
 * relative to import.meta.url, which the ESM bundle keeps); bundle.mjs copies it there.
 *
 * Bundled for the browser by ./bundle.mjs (esbuild) into test-output/e2e/page/, never committed.
 * The test waits for `<html data-state="signed-in">`; `data-state="failed"` carries the reason in
 * the page text.
 */
import { ClientEvent, IndexedDBStore, MemoryStore, Method, SyncState, createClient } from 'matrix-js-sdk';
import { decodeRecoveryKey } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { browserOrigin, elementLogin } from '../../content/elementWebWrite.ts';

interface SessionConfig {
  readonly baseUrl: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly accessToken: string;
}

interface LoginConfig {
  readonly baseUrl: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly password: string;
}

const fromB64 = (s: string) => Uint8Array.from(atob(s.replace(/-/g, '+').replace(/_/g, '/') + '='.repeat((4 - (s.length % 4)) % 4)), (c) => c.charCodeAt(0));

const status = document.getElementById('status') as HTMLElement;
const setState = (state: string, text: string) => {
  document.documentElement.dataset['state'] = state;
  status.textContent = text;
};

async function main(): Promise<void> {
  const got = (await (await fetch('/session.json', { cache: 'no-store' })).json()) as SessionConfig | LoginConfig;
  if ('password' in got) return withRustCrypto(got);
  const cfg = got;
  setState('storing', `Storing the session of ${cfg.userId} the way Element Web does…`);
  // Lifecycle.ts: persistCredentials (and the pickle key) before the client starts.
  await elementLogin(browserOrigin(window), { homeserverUrl: cfg.baseUrl, userId: cfg.userId, deviceId: cfg.deviceId, accessToken: cfg.accessToken });

  setState('syncing', `Signing in ${cfg.userId} (${cfg.deviceId}) at ${cfg.baseUrl}…`);
  // A store, so the client keeps its rooms (createClient's default store keeps nothing).
  const client = createClient({ baseUrl: cfg.baseUrl, userId: cfg.userId, deviceId: cfg.deviceId, accessToken: cfg.accessToken, store: new MemoryStore() });
  const prepared = new Promise<void>((resolve, reject) => {
    const onSync = (state: SyncState) => {
      if (state === SyncState.Prepared || state === SyncState.Syncing) {
        client.off(ClientEvent.Sync, onSync);
        resolve();
      } else if (state === SyncState.Error) {
        client.off(ClientEvent.Sync, onSync);
        reject(new Error('the first sync failed'));
      }
    };
    client.on(ClientEvent.Sync, onSync);
  });
  await client.startClient({ initialSyncLimit: 1 });
  await prepared;
  const who = await client.whoami();
  const rooms = (await client.getJoinedRooms()).joined_rooms.length;
  setState('signed-in', `Signed in as ${who.user_id} (${who.device_id ?? 'no device'}), syncing, joined to ${rooms} rooms.`);
  (window as unknown as { matrixClient: unknown }).matrixClient = client;
}

/** Waits for the client's first sync (Prepared or Syncing). */
function firstSync(client: ReturnType<typeof createClient>): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const onSync = (state: SyncState) => {
      if (state === SyncState.Prepared || state === SyncState.Syncing) {
        client.off(ClientEvent.Sync, onSync);
        resolve();
      } else if (state === SyncState.Error) {
        client.off(ClientEvent.Sync, onSync);
        reject(new Error('the first sync failed'));
      }
    };
    client.on(ClientEvent.Sync, onSync);
  });
}

async function withRustCrypto(cfg: LoginConfig): Promise<void> {
  setState('logging-in', `Logging ${cfg.userId} in as a new device ${cfg.deviceId}…`);
  const login = (await createClient({ baseUrl: cfg.baseUrl }).loginRequest({
    type: 'm.login.password',
    identifier: { type: 'm.id.user', user: cfg.userId },
    password: cfg.password,
    device_id: cfg.deviceId,
    initial_device_display_name: 'Crosscheck e2e (rust crypto)',
  })) as { user_id: string; device_id: string; access_token: string };
  setState('storing', `Storing the session of ${login.user_id} the way Element Web does…`);
  const { pickleKey } = await elementLogin(browserOrigin(window), { homeserverUrl: cfg.baseUrl, userId: login.user_id, deviceId: login.device_id, accessToken: login.access_token });
  if (!pickleKey || pickleKey.length !== 43) throw new Error('no 43-character pickle key was created');
  // The secret-storage key, once the test "types the recovery key into the client" (below).
  let ssssKey: Uint8Array | undefined;
  // Element keeps its sync data in IndexedDB `matrix-js-sdk:riot-web-sync` (createMatrixClient.ts;
  // there through a worker, here in the page: the same database either way).
  const store = new IndexedDBStore({ indexedDB: window.indexedDB, localStorage: window.localStorage, dbName: 'riot-web-sync' });
  const client = createClient({
    baseUrl: cfg.baseUrl,
    userId: login.user_id,
    deviceId: login.device_id,
    accessToken: login.access_token,
    store,
    cryptoCallbacks: {
      getSecretStorageKey: async ({ keys }) => {
        const id = Object.keys(keys)[0];
        return ssssKey && id ? [id, ssssKey] : null;
      },
    },
  });
  await store.startup();
  setState('crypto', `Starting rust crypto for ${login.device_id}…`);
  // MatrixClientPeg.initClientCrypto: a 43-character pickle key is the store key, base64-decoded.
  await client.initRustCrypto({ storageKey: fromB64(pickleKey) });
  const prepared = firstSync(client);
  await client.startClient({ initialSyncLimit: 1 });
  await prepared;
  // Done when the server publishes this device's keys (the OlmMachine's keys/upload went out).
  const own = await client.getCrypto()!.getOwnDeviceKeys();
  const deadline = Date.now() + 30_000;
  for (;;) {
    const r = (await client.http.authedRequest(Method.Post, '/keys/query', undefined, { device_keys: { [login.user_id]: [login.device_id] } })) as {
      device_keys?: Record<string, Record<string, { keys?: Record<string, string> }>>;
    };
    const keys = r.device_keys?.[login.user_id]?.[login.device_id]?.keys ?? {};
    if (keys[`ed25519:${login.device_id}`] === own.ed25519 && keys[`curve25519:${login.device_id}`] === own.curve25519) break;
    if (Date.now() > deadline) throw new Error('the device keys were not uploaded in 30 s');
    await new Promise((r) => setTimeout(r, 250));
  }
  // The sync data is saved on the first sync (IndexedDBStore.wantsSave); saved again now so it is there for sure.
  await store.save(true);
  const dbs = (await indexedDB.databases()).map((d) => d.name).filter((n) => n?.startsWith('matrix-js-sdk:'));
  (window as unknown as { matrixClient: unknown }).matrixClient = client;
  (window as unknown as { e2eLocal: unknown }).e2eLocal = { deviceId: login.device_id, ed25519: own.ed25519, curve25519: own.curve25519, accessToken: login.access_token, pickleKey };
  // What Element does when the person enters their recovery key on a new session: fetch the
  // cross-signing keys from secret storage, cache them in the crypto store, sign this device.
  (window as unknown as { e2eCacheCrossSigningKeys: unknown }).e2eCacheCrossSigningKeys = async (recoveryKey: string) => {
    const crypto = client.getCrypto()!;
    ssssKey = decodeRecoveryKey(recoveryKey);
    try {
      await crypto.getUserDeviceInfo([login.user_id], true);
      await crypto.bootstrapCrossSigning({});
    } finally {
      ssssKey.fill(0);
      ssssKey = undefined;
    }
    return (await crypto.getCrossSigningStatus()).privateKeysCachedLocally;
  };
  setState('signed-in', `Signed in as ${login.user_id} (${login.device_id}) with rust crypto; keys uploaded; stores: ${dbs.sort().join(', ')}.`);
}

main().catch((e: unknown) => setState('failed', `The test page could not sign in: ${e instanceof Error ? e.message : String(e)}`));
