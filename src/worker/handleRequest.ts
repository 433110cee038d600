/**
 * @module worker/handleRequest — what the audit Worker does with one message: validate, parse
 * the snapshot strictly, run the core audit, reply with data. The secret (if any) is wiped on
 * every path; nothing of it is ever in a reply.
 */
import { err, ok } from '../core/result.ts';
import { audit } from '../core/audit.ts';
import { parseStrictJson, describeJsonError } from '../core/json/strictJson.ts';
import type { Ed25519Equation } from '../core/crypto/ed25519Policy.ts';
import type { Pbkdf2Sha512 } from '../core/crypto/pbkdf2.ts';
import { validateWorkerRequest, type WorkerReply, type ClientStoreInput, type OfflineInput } from '../protocol/worker.ts';
import { writeLosslessJson } from '../core/json/writeJson.ts';
import { isJsonObject, type JsonObject, type JsonValue } from '../core/json/strictJson.ts';
import { readLocalView } from '../sources/clientStorage/rustStore/localView.ts';
import { webCryptoPbkdf2Sha256 } from '../sources/clientStorage/rustStore/webCryptoPbkdf2.ts';
import { CLIENT_STORE_DUMP_FORMAT, type StorePart, decodeClientStore, legacyDeviceMismatch, legacyLocal, offlineFromClientStore } from '../sources/clientStorage/clientStoreDump.ts';

export interface WorkerPlatform {
  readonly pbkdf2?: Pbkdf2Sha512;
  readonly ed25519?: Ed25519Equation;
}

/** Wipes any byte array found at `data.secret.text`, whatever else the message looks like. */
function wipeIncomingSecret(data: unknown): void {
  const secret = typeof data === 'object' && data !== null ? (data as { secret?: { text?: unknown } }).secret : undefined;
  if (secret && ArrayBuffer.isView(secret.text)) new Uint8Array(secret.text.buffer, secret.text.byteOffset, secret.text.byteLength).fill(0);
}

export async function handleWorkerRequest(data: unknown, platform: WorkerPlatform): Promise<WorkerReply> {
  const id = typeof data === 'object' && data !== null && typeof (data as { id?: unknown }).id === 'string' ? ((data as { id: string }).id).slice(0, 100) : '';
  const req = validateWorkerRequest(data, 'request');
  if (!req.ok) {
    wipeIncomingSecret(data);
    return { id, result: err({ code: 'bad-request', message: req.error }) };
  }
  const { snapshotJson, now, secret, clientStore, offline } = req.value;
  try {
    const when = new Date(now);
    if (Number.isNaN(when.getTime())) return { id, result: err({ code: 'bad-request', message: 'request.now is not a date' }) };
    const parsed = parseStrictJson(snapshotJson);
    if (!parsed.ok) return { id, result: err({ code: 'bad-snapshot', message: `the snapshot is not valid JSON: ${describeJsonError(parsed.error)}` }) };
    let snapshot: JsonValue;
    let built: string | undefined;
    if (offline) {
      const o = await offlineFromStores(parsed.value, offline, clientStore, when);
      if (!o.ok) return { id, result: err({ code: 'bad-snapshot', message: o.error }) };
      built = o.value;
      const reread = parseStrictJson(built);
      if (!reread.ok) return { id, result: err({ code: 'internal', message: 'the offline snapshot could not be read back' }) };
      snapshot = reread.value;
    } else if (clientStore) {
      snapshot = await withLocal(parsed.value, clientStore);
      // The background keeps this one for a later recovery-key check in the popup, so the client's
      // own view (public keys, counts; no private key, no pickle key) stays in that report too.
      built = writeLosslessJson(snapshot);
    } else snapshot = parsed.value;
    const report = await audit(snapshot, { now: when, ...(secret ? { secret } : {}), ...(platform.pbkdf2 ? { pbkdf2: platform.pbkdf2 } : {}), ...(platform.ed25519 ? { ed25519: platform.ed25519 } : {}) });
    return { id, result: report.ok ? ok(report.value) : err({ code: 'bad-snapshot', message: report.error.message }), ...(built !== undefined && report.ok ? { snapshotJson: built } : {}) };
  } catch (e) {
    return { id, result: err({ code: 'internal', message: `internal error: ${e instanceof Error ? e.message : String(e)}` }) };
  } finally {
    secret?.text.fill(0);
    wipeIncomingSecret(data);
  }
}

/**
 * Decodes the client store into the snapshot's `local` part (it overrides any `local` already
 * there): the rust crypto store, or (`kind: 'legacy'`) the legacy libolm store. When the store cannot be read, the snapshot says why instead, and the audit lists it as
 * not checked — never a guess.
 */
async function withLocal(snapshot: JsonValue, store: ClientStoreInput): Promise<JsonValue> {
  if (!isJsonObject(snapshot)) return snapshot;
  const out: JsonObject = { ...snapshot };
  if (store.unavailable !== undefined || store.dumpJson === undefined) {
    out['localUnavailable'] = store.unavailable ?? 'the client store was not read';
    return out;
  }
  let dump: unknown;
  try {
    dump = JSON.parse(store.dumpJson) as unknown;
  } catch {
    out['localUnavailable'] = 'the client store could not be read (its records were not valid JSON)';
    return out;
  }
  const userId = typeof snapshot['userId'] === 'string' ? snapshot['userId'] : undefined;
  const deviceId = typeof snapshot['deviceId'] === 'string' ? snapshot['deviceId'] : undefined;
  if (store.kind === 'legacy') {
    // The legacy libolm store (read only when the page has no rust store): its Account pickle names
    // no device, so it must hold the device keys the snapshot publishes for this session.
    if (userId === undefined || deviceId === undefined) {
      out['localUnavailable'] = 'the legacy (libolm) crypto store cannot be matched to a session the snapshot does not name';
      return out;
    }
    const legacy = legacyLocal(dump, store.pickleKey ?? null, userId);
    const why = 'unavailable' in legacy ? legacy.unavailable : legacyDeviceMismatch(legacy.view, snapshot, userId, deviceId);
    if (why !== undefined || 'unavailable' in legacy) out['localUnavailable'] = why ?? 'the legacy (libolm) crypto store could not be used';
    else out['local'] = legacy.view as unknown as JsonObject;
    return out;
  }
  const local = await readLocalView(dump, store.pickleKey ?? null, { ...(userId ? { userId } : {}), ...(deviceId ? { deviceId } : {}), pbkdf2: webCryptoPbkdf2Sha256 });
  if (!local.ok) out['localUnavailable'] = local.error.message;
  else out['local'] = local.value.local as unknown as JsonObject;
  return out;
}

/**
 * The offline snapshot (the homeserver could not be reached): the rust crypto store's keys and
 * `local`, the sync store's account data and encrypted-room members, and the base's `pins`.
 * Only a readable rust store can stand in for the server (the legacy store keeps no signed keys).
 */
async function offlineFromStores(base: JsonValue, offline: OfflineInput, store: ClientStoreInput | undefined, now: Date): Promise<{ ok: true; value: string } | { ok: false; error: string }> {
  const cannot = (why: string) => ({ ok: false as const, error: `this browser's client store cannot stand in for the server: ${why}` });
  if (!store || store.unavailable !== undefined || store.dumpJson === undefined) return cannot(store?.unavailable ?? 'it was not read');
  if (store.kind === 'legacy') return cannot('the client uses the old libolm store, which keeps no signed keys to check');
  let dump: unknown;
  try {
    dump = JSON.parse(store.dumpJson) as unknown;
  } catch {
    return cannot('its records were not valid JSON');
  }
  let sync: StorePart = { unavailable: offline.syncUnavailable ?? 'the sync store was not read' };
  if (offline.syncStoreJson !== undefined) {
    try {
      sync = { dump: JSON.parse(offline.syncStoreJson) as unknown };
    } catch {
      sync = { unavailable: 'the sync store’s records were not valid JSON' };
    }
  }
  // The same decoding and assembly as `crosscheck audit --client-store` (clientStoreDump.ts).
  const facts = await decodeClientStore(
    { format: CLIENT_STORE_DUMP_FORMAT, userId: offline.userId, deviceId: offline.deviceId, ...(offline.homeserver ? { homeserver: offline.homeserver } : {}), rust: { dump }, sync },
    store.pickleKey ?? null,
    { pbkdf2: webCryptoPbkdf2Sha256 },
  );
  if ('unavailable' in facts.local) return cannot(facts.local.unavailable);
  const built = offlineFromClientStore(facts, now);
  if (!built.ok) return cannot(built.error.message);
  if (isJsonObject(base) && isJsonObject(base['pins'])) built.value['pins'] = base['pins'];
  return { ok: true, value: writeLosslessJson(built.value) };
}

