/**
 * @module report/clientStoreSummary — what this browser's client store holds, set against what
 * the snapshot publishes, for the report's `clientStore` part (issue 5: "the report says which
 * facts came from this browser's store"). Every value is "per the client store": the page can
 * write that store (security.md D4), so these are facts about the client, never proofs.
 *
 * Each key compares as `matches`, `differs` (the client holds another key than the one
 * published), `not-cached` (the client holds none), `not-published` (nothing to compare with),
 * or `unknown` (the store did not say).
 */
import { decodeBase64 } from '../encoding/base64.ts';
import { equalBytes } from '../bytes.ts';
import type { BackupModel } from '../backup/backupTrust.ts';
import type { LocalView, Snapshot } from '../snapshot/snapshot.ts';
import type { TrustModel } from '../trust/model.ts';
import { notBackedUpPerRoom } from '../checks/sessionsNotBackedUp.ts';
import type { ClientStoreSummary, StoreKeyMatch } from './types.ts';

export type { ClientStoreSummary, StoreKeyMatch };

function compare(local: string | null | undefined, published: Uint8Array | undefined): StoreKeyMatch {
  if (local === undefined) return 'unknown';
  if (local === null) return 'not-cached';
  if (!published) return 'not-published';
  const l = decodeBase64(local, { bytes: 32, padding: 'allow' });
  return l.ok && equalBytes(l.value, published) ? 'matches' : 'differs';
}

function sessions(local: LocalView): ClientStoreSummary['sessions'] {
  if (local.sessionCounts) {
    const counts = Object.values(local.sessionCounts);
    return { rooms: counts.length, total: counts.reduce((a, c) => a + c.total, 0), notBackedUp: counts.reduce((a, c) => a + c.notBackedUp, 0) };
  }
  if (!local.sessions) return undefined;
  const lists = Object.values(local.sessions);
  return { rooms: lists.length, total: lists.reduce((a, l) => a + l.length, 0), notBackedUp: notBackedUpPerRoom(local)?.total ?? 0 };
}

export function summarizeClientStore(snap: Snapshot, model: TrustModel, backup: BackupModel): ClientStoreSummary | undefined {
  const local = snap.local;
  if (!local) return undefined;
  const own = model.users.find((u) => u.userId === snap.userId);
  const device = own?.devices.find((d) => d.deviceId === snap.deviceId);
  let thisSession: ClientStoreSummary['thisSession'];
  if (!local.deviceKeys?.ed25519 || !local.deviceKeys.curve25519) thisSession = 'unknown';
  else if (!device || !device.parsed.ok) thisSession = 'not-published';
  else thisSession = device.parsed.value.ed25519 === local.deviceKeys.ed25519 && device.parsed.value.curve25519 === local.deviceKeys.curve25519 ? 'matches' : 'differs';

  const slot = (s: TrustModel['own']['master'] | TrustModel['own']['selfSigning'] | TrustModel['own']['userSigning'] | undefined) => (s?.kind === 'ok' ? s.key.bytes : undefined);
  const cs = local.crossSigning;
  const backupPublic = backup.kind === 'present' ? backup.publicKeyBytes : undefined;
  const bk = local.backupKey;
  const identities = Object.entries(local.identities).filter(([u]) => u !== snap.userId);
  const withheld = local.withheld ? Object.values(local.withheld).reduce((a, m) => a + Object.keys(m).length, 0) : undefined;
  const s = sessions(local);
  return {
    client: local.client ?? 'client store',
    thisSession,
    crossSigning: {
      master: compare(cs?.master, slot(model.own.master)),
      selfSigning: compare(cs?.selfSigning, slot(model.own.selfSigning)),
      userSigning: compare(cs?.userSigning, slot(model.own.userSigning)),
    },
    backupKey: compare(bk === undefined ? undefined : bk === null ? null : (bk.publicKey ?? undefined), backupPublic),
    ...(bk?.version !== undefined ? { backupKeyVersion: bk.version } : {}),
    ...(s ? { sessions: s } : {}),
    ...(withheld !== undefined ? { withheld } : {}),
    identities: { held: identities.length, changed: identities.filter(([, i]) => i.pinnedMasterKey !== undefined && i.pinnedMasterKey !== i.masterKey).length },
  };
}
