/**
 * @module checks/localStore — the private cross-signing keys this browser's client caches
 * against the published ones (security G7: poisoned local secrets; "stale" keys after a reset
 * elsewhere). Needs the `local` part of the snapshot; silent without it.
 */
import { decodeBase64 } from '../encoding/base64.ts';
import { equalBytes } from '../bytes.ts';
import { makeFinding } from '../report/finding.ts';
import type { Finding } from '../report/types.ts';
import type { KeySlot } from '../trust/model.ts';
import type { Check } from './check.ts';

type Slot = KeySlot<'master'> | KeySlot<'self_signing'> | KeySlot<'user_signing'>;

export const localStore: Check = {
  id: 'local-store',
  title: "This browser's cached private keys match your identity",
  run({ snapshot, model }) {
    const out: Finding[] = [];
    const cs = snapshot.local?.crossSigning;
    const own = model.own;
    if (!cs || own.master.kind !== 'ok') return out;
    const pairs: [string, string | null | undefined, Slot][] = [
      ['master', cs.master, own.master],
      ['self-signing', cs.selfSigning, own.selfSigning],
      ['user-signing', cs.userSigning, own.userSigning],
    ];
    const missing = pairs.filter(([, local]) => local === null).map(([n]) => n);
    const mismatched = pairs.filter(([, local, slot]) => {
      if (typeof local !== 'string' || slot.kind !== 'ok') return false;
      const l = decodeBase64(local, { bytes: 32, padding: 'allow' });
      return !l.ok || !equalBytes(l.value, slot.key.bytes);
    });
    if (missing.length > 0) {
      out.push(
        makeFinding({
          code: 'LOCAL_CROSS_SIGNING_KEYS_MISSING',
          severity: missing.length === 3 ? 'info' : 'warning',
          userId: own.userId,
          message: `This browser does not hold your private ${missing.join(', ')} key${missing.length > 1 ? 's' : ''}, so it cannot ${missing.includes('self-signing') ? 'verify your other sessions' : 'verify other people'} by itself.`,
          hint: 'Verify this session from another one, or enter your recovery key in the client, to fetch the keys from secret storage.',
          evidence: { missing },
        }),
      );
    }
    for (const [name, local, slot] of mismatched) {
      out.push(
        makeFinding({
          code: 'LOCAL_CROSS_SIGNING_KEYS_MISMATCH',
          severity: 'error',
          userId: own.userId,
          message: `The private ${name} key this browser holds does not belong to the ${name} key the server publishes for you. Either your identity was reset elsewhere, or the keys were tampered with.`,
          hint: 'If you did not reset your identity, sign out other sessions and reset cross-signing from a session you trust; otherwise verify this session again.',
          evidence: { key: name, local, published: slot.kind === 'ok' ? slot.key.publicKey : undefined },
        }),
      );
    }
    return out;
  },
};
