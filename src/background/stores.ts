/**
 * @module background/stores — the background's small persistent pieces over `browser.storage`:
 * the audit state and snapshot in `storage.session` (memory-only, closed to content scripts; no
 * secret is ever in them), and the user-confirmed homeserver origins in `storage.local`.
 */
import type { Browser } from '../platform/browser.ts';
import type { AuditState } from '../protocol/messages.ts';
import type { Approvals, StateStore } from './orchestrator.ts';

/** storage.session holds 10 MB in Chrome; a larger snapshot stays in memory only. */
const MAX_SESSION_SNAPSHOT_CHARS = 4 * 1024 * 1024;

export function sessionStateStore(browser: typeof Browser): StateStore {
  let memorySnapshot: string | undefined;
  return {
    async get() {
      const v = await browser.storage.session.get('auditState');
      return (v['auditState'] as AuditState | undefined) ?? { phase: 'idle' };
    },
    async set(state) {
      await browser.storage.session.set({ auditState: state });
    },
    async snapshot() {
      if (memorySnapshot) return memorySnapshot;
      const v = await browser.storage.session.get('snapshotJson');
      return typeof v['snapshotJson'] === 'string' ? v['snapshotJson'] : undefined;
    },
    async setSnapshot(json) {
      memorySnapshot = json;
      if (json === undefined || json.length > MAX_SESSION_SNAPSHOT_CHARS) await browser.storage.session.remove('snapshotJson');
      else await browser.storage.session.set({ snapshotJson: json });
    },
  };
}

interface Approval {
  readonly homeserverOrigin: string;
  readonly userId: string;
  readonly approvedAt: string;
}

export function localApprovals(browser: typeof Browser): Approvals {
  const list = async (): Promise<Approval[]> => {
    const v = await browser.storage.local.get('approvedHomeservers');
    return Array.isArray(v['approvedHomeservers']) ? (v['approvedHomeservers'] as Approval[]) : [];
  };
  return {
    async has(origin, userId) {
      return (await list()).some((a) => a.homeserverOrigin === origin && a.userId === userId);
    },
    async add(origin, userId, at) {
      const all = (await list()).filter((a) => !(a.homeserverOrigin === origin && a.userId === userId));
      await browser.storage.local.set({ approvedHomeservers: [...all, { homeserverOrigin: origin, userId, approvedAt: at }] });
    },
  };
}
