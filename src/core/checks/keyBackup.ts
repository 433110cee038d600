/**
 * @module checks/keyBackup — the server-side key backup (spec "Server-side key backups";
 * matrix-crypto §3): present, supported, signed by something we trust, matching the keys we
 * hold, and actually decryptable.
 */
import { makeFinding } from '../report/finding.ts';
import type { Finding } from '../report/types.ts';
import type { Check } from './check.ts';

export const keyBackup: Check = {
  id: 'key-backup',
  title: 'Your key backup can be trusted and decrypted',
  run({ backup, sessions, snapshot }) {
    const out: Finding[] = [];
    const userId = snapshot.userId;
    switch (backup.kind) {
      case 'not-captured':
        return out;
      case 'none':
        out.push(
          makeFinding({
            code: 'BACKUP_MISSING',
            severity: 'warning',
            userId,
            message: 'Your account has no key backup: if you lose all your sessions, you lose access to your encrypted message history.',
            hint: 'Turn on key backup ("Secure Backup" in Element\'s security settings).',
          }),
        );
        return out;
      case 'malformed':
        out.push(
          makeFinding({
            code: 'RESPONSE_MALFORMED',
            severity: 'error',
            userId,
            message: `The server's description of your key backup is damaged: ${backup.why}.`,
            hint: 'Report this to your homeserver administrator.',
            evidence: { part: 'room_keys/version' },
          }),
        );
        return out;
      case 'unsupported':
        out.push(
          makeFinding({
            code: 'BACKUP_ALGORITHM_UNSUPPORTED',
            severity: 'warning',
            userId,
            message: `Your key backup (version ${backup.version ?? '?'}) uses the algorithm ${backup.algorithm}, which Crosscheck cannot check.`,
            hint: 'If your client also does not know it, set up a new key backup.',
            evidence: { algorithm: backup.algorithm },
          }),
        );
        return out;
      case 'present':
        break;
    }
    for (const [keyId, state] of Object.entries(backup.signatures)) {
      if (state !== 'invalid' && state !== 'malformed') continue;
      out.push(
        makeFinding({
          code: 'BACKUP_SIGNATURE_INVALID',
          severity: 'warning',
          userId,
          message: `A signature on your key backup by ${keyId} does not verify (${state}): the backup's public key may have been replaced.`,
          hint: 'If your client keeps warning about the backup, reset it from a verified session.',
          evidence: { keyId, state },
        }),
      );
    }
    if (backup.recoveryKeyMatches === false) {
      out.push(
        makeFinding({
          code: 'BACKUP_KEY_MISMATCH',
          severity: 'error',
          userId,
          message: `The backup key kept in your secret storage does not open the current key backup (version ${backup.version}). Restoring from your recovery key would not give you your message keys.`,
          hint: 'From a verified session, reset the key backup (this stores its new key in secret storage), or restore the old backup key.',
          evidence: { source: 'secret storage', version: backup.version },
        }),
      );
    }
    if (backup.localKey === 'mismatch') {
      out.push(
        makeFinding({
          code: 'BACKUP_KEY_MISMATCH',
          severity: 'error',
          userId,
          message: `This browser holds a backup key that does not match the server's current key backup (version ${backup.version}). Either the backup was replaced since, or the server is offering a backup whose key is not yours.`,
          hint: 'If you did not reset the backup yourself, do not trust it: reset the key backup from a verified session.',
          evidence: { source: 'client store', version: backup.version },
        }),
      );
    }
    if (backup.localKey === 'not-cached') {
      out.push(
        makeFinding({
          code: 'BACKUP_KEY_NOT_CACHED',
          severity: 'warning',
          userId,
          message: 'This browser does not hold the key backup\'s decryption key, so it cannot restore message keys from the backup by itself.',
          hint: 'Enter your recovery key in the client (or verify this session from another one) to fetch the backup key.',
        }),
      );
    }
    if (backup.status === 'untrusted') {
      out.push(
        makeFinding({
          code: 'BACKUP_NOT_TRUSTED',
          severity: 'warning',
          userId,
          message: 'Nothing you trust vouches for the current key backup: it is not signed by your verified identity or a verified session of yours, and no key you gave unlocked it. Your client should not upload message keys to it.',
          hint: 'Check your recovery key in Crosscheck; if the backup is still not trusted, reset it from a verified session.',
          evidence: { signatures: backup.signatures },
        }),
      );
    }
    if (sessions && sessions.failed > 0) {
      out.push(
        makeFinding({
          code: 'BACKUP_SESSIONS_UNDECRYPTABLE',
          severity: 'warning',
          userId,
          message: `${sessions.failed} of ${sessions.total} message keys in the backup cannot be decrypted with your backup key (${sessions.wrongKey} made for another key, ${sessions.corrupt} damaged${sessions.idMismatch ? `, ${sessions.idMismatch} filed under the wrong session` : ''}). Messages that need them will show "Unable to decrypt".`,
          hint: 'Keys made for another backup key usually come from an old backup; they cannot be recovered with this key.',
          evidence: { ...sessions },
        }),
      );
    }
    if (sessions && sessions.decrypted > 0) {
      out.push(
        makeFinding({
          code: 'BACKUP_SESSIONS_UNAUTHENTICATED',
          severity: 'info',
          userId,
          message: `${sessions.decrypted} message keys in the backup decrypt correctly. The backup format does not prove who wrote them, so clients mark messages decrypted with them as "unauthenticated".`,
          hint: 'Nothing to do; this is a known limit of the v1 backup format.',
          evidence: { decrypted: sessions.decrypted },
        }),
      );
    }
    return out;
  },
};
