/**
 * @module checks/sessionsNotBackedUp — Megolm sessions (message keys) this browser holds that its
 * client has not uploaded to the key backup, counted per room (issue 5; the store's
 * `needs_backup` flag, client-storage.md §3.5). If this browser's data is lost before they are
 * uploaded, the messages they decrypt cannot be read anywhere else. Needs `local`; silent without
 * it. The counts are "per this browser's client store" (security.md D4).
 */
import { makeFinding } from '../report/finding.ts';
import type { Finding } from '../report/types.ts';
import type { LocalView } from '../snapshot/snapshot.ts';
import type { Check } from './check.ts';

/** Rooms named in the message; the evidence lists them all. */
const NAMED_ROOMS = 3;

/**
 * Not-backed-up sessions per room: the exact counts when the reader gave them
 * (`local.sessionCounts`), else counted from `local.sessions`; `undefined` without either.
 */
export function notBackedUpPerRoom(local: LocalView): { perRoom: Record<string, number>; total: number } | undefined {
  const perRoom: Record<string, number> = {};
  if (local.sessionCounts) {
    for (const [room, c] of Object.entries(local.sessionCounts)) if (c.notBackedUp > 0) perRoom[room] = c.notBackedUp;
  } else if (local.sessions) {
    for (const [room, list] of Object.entries(local.sessions)) {
      const n = list.filter((s) => s.backedUp === false).length;
      if (n > 0) perRoom[room] = n;
    }
  } else return undefined;
  const total = Object.values(perRoom).reduce((a, b) => a + b, 0);
  return { perRoom, total };
}

const keys = (n: number) => `${n} message key${n === 1 ? '' : 's'}`;
const rooms = (n: number) => `${n} room${n === 1 ? '' : 's'}`;

export const sessionsNotBackedUp: Check = {
  id: 'sessions-not-backed-up',
  title: "This browser's message keys are in your key backup",
  run({ snapshot, backup }) {
    const out: Finding[] = [];
    const local = snapshot.local;
    if (!local) return out;
    const counted = notBackedUpPerRoom(local);
    if (!counted || counted.total === 0) return out;
    const ordered = Object.entries(counted.perRoom).sort(([ra, a], [rb, b]) => b - a || (ra < rb ? -1 : ra > rb ? 1 : 0));
    const named = ordered
      .slice(0, NAMED_ROOMS)
      .map(([room, n]) => `${room} (${n})`)
      .join(', ');
    const more = ordered.length > NAMED_ROOMS ? ` and ${rooms(ordered.length - NAMED_ROOMS)} more` : '';
    const where = `${keys(counted.total)} in ${rooms(ordered.length)}: ${named}${more}`;
    let severity: Finding['severity'];
    let message: string;
    let hint: string;
    switch (backup.kind) {
      case 'present':
        severity = 'warning';
        if (backup.status === 'trusted') {
          message = `This browser holds ${where}, that its client has not uploaded to your key backup (version ${backup.version}) yet. If this browser's data is lost first, those messages cannot be read anywhere else.`;
          hint = 'Keep this session open and online for a while: the client uploads keys to the backup in the background. If the count does not go down, check that key backup is turned on in the client.';
        } else {
          message = `This browser holds ${where}, that are not in your key backup (version ${backup.version}), and the backup itself is not one your client should upload to (${backup.status}). If this browser's data is lost, those messages cannot be read anywhere else.`;
          hint = 'Fix the key backup first (see the key backup findings); the client then uploads these keys.';
        }
        break;
      case 'none':
        severity = 'info';
        message = `This browser holds ${where}, that exist nowhere else: your account has no key backup.`;
        hint = 'Turn on key backup in the client so these keys are kept on the server, encrypted.';
        break;
      default:
        severity = 'info';
        message = `This browser's client store says ${where}, are not backed up.`;
        hint = 'Check that key backup is turned on in the client, and keep this session online so it can upload them.';
    }
    out.push(
      makeFinding({
        code: 'SESSIONS_NOT_BACKED_UP',
        severity,
        userId: snapshot.userId,
        deviceId: snapshot.deviceId,
        message,
        hint,
        evidence: { total: counted.total, rooms: Object.fromEntries(ordered), source: 'client store' },
      }),
    );
    return out;
  },
};
