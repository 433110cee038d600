/**
 * @module popup/view/history — a user's master-key history from our own pin store (issue 4 item
 * 5): the key first seen and every change after, which one the report compares against, and
 * whether the current one can be accepted. Pure: pin rows and the report's current key in.
 */
import type { PinRecord } from '../../protocol/messages.ts';
import { fingerprintGroups, formatTime } from './format.ts';

export interface HistoryEntry {
  readonly masterKey: string;
  readonly groups: string[];
  readonly seen: string;
  /** Pinned (first seen, or accepted by the user) — the key changes are measured against. */
  readonly pinned: boolean;
  /** The key the server publishes now. */
  readonly current: boolean;
}

export interface HistoryView {
  readonly entries: HistoryEntry[];
  /** The current key, when it is recorded but not accepted yet (so the user may accept it). */
  readonly acceptable?: string;
  readonly summary: string;
}

export function historyView(pins: readonly PinRecord[], userId: string, currentMasterKey: string | undefined): HistoryView {
  const rows = pins.filter((p) => p.userId === userId).sort((a, b) => (a.firstSeen < b.firstSeen ? -1 : a.firstSeen > b.firstSeen ? 1 : 0));
  const entries = rows.map((r) => ({
    masterKey: r.masterKey,
    groups: fingerprintGroups(r.masterKey),
    seen: r.firstSeen === r.lastSeen ? `seen ${formatTime(r.firstSeen)}` : `first seen ${formatTime(r.firstSeen)}, last seen ${formatTime(r.lastSeen)}`,
    pinned: r.accepted,
    current: r.masterKey === currentMasterKey,
  }));
  const current = rows.find((r) => r.masterKey === currentMasterKey);
  const summary =
    rows.length === 0
      ? 'Crosscheck has no earlier record of this person’s identity.'
      : rows.length === 1
        ? `Crosscheck has seen one identity for this person since ${formatTime(rows[0]!.firstSeen)}.`
        : `Crosscheck has seen ${rows.length} identities for this person since ${formatTime(rows[0]!.firstSeen)}.`;
  return { entries, summary, ...(current && !current.accepted ? { acceptable: current.masterKey } : {}) };
}
