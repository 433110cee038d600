/**
 * @module store/pinLogic — trust-on-first-use pins, as pure functions over plain records:
 * the first master key seen for a user is pinned; a different key later is recorded (history)
 * but not pinned until the user accepts it, so the report keeps saying "changed since you first
 * saw them on …" until then (spec v1.15 "Verification of the sending user"; rust-sdk pin
 * violations). Persisted by ./pinStore.ts.
 */

/** One master key seen for one user. `schemaVersion` lets later versions migrate rows (STYLE §20). */
export interface PinRow {
  readonly schemaVersion: 1;
  readonly userId: string;
  readonly masterKey: string;
  readonly firstSeen: string;
  readonly lastSeen: string;
  /** True for the key the report compares against: the first one, or one the user accepted. */
  readonly accepted: boolean;
  readonly acceptedAt?: string;
}

/** Later acceptance wins; at the same instant an explicit acceptance beats the implicit first pin. */
const newer = (a: PinRow, b: PinRow): boolean => {
  const ta = a.acceptedAt ?? a.firstSeen;
  const tb = b.acceptedAt ?? b.firstSeen;
  return ta !== tb ? ta > tb : a.acceptedAt !== undefined && b.acceptedAt === undefined;
};

/** The pin the snapshot carries for each user: the most recently accepted key. */
export function pinsForSnapshot(rows: readonly PinRow[]): Record<string, { masterKey: string; firstSeen: string }> {
  const best = new Map<string, PinRow>();
  for (const r of rows) {
    if (!r.accepted) continue;
    const cur = best.get(r.userId);
    if (!cur || newer(r, cur)) best.set(r.userId, r);
  }
  const out: Record<string, { masterKey: string; firstSeen: string }> = {};
  for (const [u, r] of best) out[u] = { masterKey: r.masterKey, firstSeen: r.firstSeen };
  return out;
}

/**
 * Rows to write after an audit that saw `seen` (user → master key): new keys are added (accepted
 * only if the user had no key before), known keys get `lastSeen` updated.
 */
export function recordSeen(existing: readonly PinRow[], seen: ReadonlyMap<string, string>, at: string): PinRow[] {
  const byUser = new Map<string, PinRow[]>();
  for (const r of existing) byUser.set(r.userId, [...(byUser.get(r.userId) ?? []), r]);
  const out: PinRow[] = [];
  for (const [userId, masterKey] of seen) {
    const rows = byUser.get(userId) ?? [];
    const same = rows.find((r) => r.masterKey === masterKey);
    if (same) out.push({ ...same, lastSeen: at });
    else out.push({ schemaVersion: 1, userId, masterKey, firstSeen: at, lastSeen: at, accepted: rows.length === 0 });
  }
  return out;
}

/** The user checked a changed identity out of band and accepts the new key. */
export function accept(row: PinRow, at: string): PinRow {
  return { ...row, accepted: true, acceptedAt: at };
}
