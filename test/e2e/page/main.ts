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
 * Bundled for the browser by ./bundle.mjs (esbuild) into test-output/e2e/page/, never committed.
 * The test waits for `<html data-state="signed-in">`; `data-state="failed"` carries the reason in
 * the page text.
 */
import { ClientEvent, MemoryStore, SyncState, createClient } from 'matrix-js-sdk';
import { browserOrigin, elementLogin } from '../../content/elementWebWrite.ts';

interface SessionConfig {
  readonly baseUrl: string;
  readonly userId: string;
  readonly deviceId: string;
  readonly accessToken: string;
}

const status = document.getElementById('status') as HTMLElement;
const setState = (state: string, text: string) => {
  document.documentElement.dataset['state'] = state;
  status.textContent = text;
};

async function main(): Promise<void> {
  const cfg = (await (await fetch('/session.json', { cache: 'no-store' })).json()) as SessionConfig;
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

main().catch((e: unknown) => setState('failed', `The test page could not sign in: ${e instanceof Error ? e.message : String(e)}`));
