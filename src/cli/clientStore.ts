/**
 * @module cli/clientStore — `--client-store FILE [--pickle-key-file F]`: reads the dump, decodes
 * the crypto store with the pickle key (read from its file, wiped as soon as it is a string the
 * decoder takes) and the sync store, and either adds the client's own view to a snapshot or makes
 * the offline snapshot. Problems with one store are not fatal: they become "not checked" lines.
 */
import { type JsonObject, type JsonValue, isJsonObject } from '../core/json/strictJson.ts';
import { type ClientStoreFacts, decodeClientStore, offlineFromClientStore, readClientStoreDump, withClientStore } from '../sources/clientStorage/clientStoreDump.ts';
import type { ClientStoreArgs } from './args.ts';
import { InputError, readJsonFile, readSecretFile } from './files.ts';

export async function loadClientStore(args: ClientStoreArgs): Promise<ClientStoreFacts> {
  const dump = readClientStoreDump(readJsonFile(args.path, 'client-store file'));
  if (!dump.ok) throw new InputError(`${args.path}: ${dump.error.message}`);
  let pickleKey: string | null = null;
  if (args.pickleKeyFile) {
    const bytes = readSecretFile(args.pickleKeyFile, 'pickle-key');
    try {
      pickleKey = new TextDecoder('utf-8', { fatal: true }).decode(bytes).trim();
    } catch {
      throw new InputError(`${args.pickleKeyFile}: the pickle key is not UTF-8 text`);
    } finally {
      bytes.fill(0);
    }
    if (pickleKey.length === 0) throw new InputError(`${args.pickleKeyFile}: the file is empty`);
  }
  return decodeClientStore(dump.value, pickleKey);
}

/** The snapshot to audit: `snapshot` with the client's view added, or (none given) the offline one. */
export function applyClientStore(snapshot: JsonValue | undefined, facts: ClientStoreFacts, now: Date, path: string): JsonValue {
  if (snapshot === undefined) {
    const offline = offlineFromClientStore(facts, now);
    if (!offline.ok) throw new InputError(`${path}: ${offline.error.message}`);
    return offline.value;
  }
  if (!isJsonObject(snapshot)) throw new InputError('the snapshot is not a JSON object');
  const merged = withClientStore(snapshot as JsonObject, facts);
  if (!merged.ok) throw new InputError(`${path}: ${merged.error.message}`);
  return merged.value;
}
