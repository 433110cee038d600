/**
 * @module background/auditRunner — runs the core audit in a Worker, off the background's event
 * loop. Firefox's event page can start a Worker itself; a Chrome MV3 service worker cannot, so
 * Chrome hosts the Worker in an offscreen document (reason WORKERS) and talks to it by runtime
 * messages addressed `target: 'offscreen'`.
 */
import { type Result, ok, err } from '../core/result.ts';
import type { Report } from '../core/report/types.ts';
import type { MessageError } from '../protocol/messages.ts';
import type { ClientStoreInput, OfflineInput, WorkerAuditRequest, WorkerReply } from '../protocol/worker.ts';
import type { Browser } from '../platform/browser.ts';

/** The report, and the snapshot the Worker audited when it changed it (see WorkerReply.snapshotJson). */
export interface AuditOutcome {
  readonly report: Report;
  readonly snapshotJson?: string;
}
export type RunAudit = (snapshotJson: string, now: string, clientStore?: ClientStoreInput) => Promise<Result<AuditOutcome, MessageError>>;
/** An offline audit: the Worker builds the snapshot from the client's stores and returns it with the report. */
export type RunOfflineAudit = (baseJson: string, now: string, clientStore: ClientStoreInput, offline: OfflineInput) => Promise<Result<{ report: Report; snapshotJson: string }, MessageError>>;
/** One request to the Worker, one reply (undefined if it never answered). */
export type SendToWorker = (req: WorkerAuditRequest) => Promise<WorkerReply | undefined>;

export interface AuditRunners {
  readonly runAudit: RunAudit;
  readonly runOfflineAudit: RunOfflineAudit;
}

let counter = 0;
const nextId = () => `audit-${Date.now()}-${++counter}`;

const toResult = (reply: WorkerReply | undefined): Result<Report, MessageError> => {
  if (!reply || typeof reply !== 'object' || !('result' in reply)) return err({ code: 'audit-failed', message: 'The audit worker did not answer.' });
  return reply.result.ok ? ok(reply.result.value) : err({ code: 'audit-failed', message: reply.result.error.message });
};

/** Both runners over one way of reaching the Worker. */
export function runnersOver(send: SendToWorker): AuditRunners {
  return {
    runAudit: async (snapshotJson, now, clientStore) => {
      const reply = await send({ kind: 'audit', id: nextId(), snapshotJson, now, ...(clientStore ? { clientStore } : {}) });
      const r = toResult(reply);
      return r.ok ? ok({ report: r.value, ...(typeof reply?.snapshotJson === 'string' ? { snapshotJson: reply.snapshotJson } : {}) }) : r;
    },
    runOfflineAudit: async (baseJson, now, clientStore, offline) => {
      const reply = await send({ kind: 'audit', id: nextId(), snapshotJson: baseJson, now, clientStore, offline });
      const r = toResult(reply);
      if (!r.ok) return r;
      if (typeof reply?.snapshotJson !== 'string') return err({ code: 'audit-failed', message: 'The audit worker did not return the snapshot it built.' });
      return ok({ report: r.value, snapshotJson: reply.snapshotJson });
    },
  };
}

/** Firefox (and any context that can construct a Worker): one Worker, requests matched by id. */
export function workerRunner(workerUrl: string): AuditRunners {
  return runnersOver(workerChannel(workerUrl));
}

/** A Worker started on first use; replies matched to requests by id. */
export function workerChannel(workerUrl: string): SendToWorker {
  let worker: Worker | undefined;
  const pending = new Map<string, (r: WorkerReply) => void>();
  const get = () => {
    if (!worker) {
      worker = new Worker(workerUrl);
      worker.onmessage = (e: MessageEvent<WorkerReply>) => {
        const done = pending.get(e.data?.id);
        if (done) {
          pending.delete(e.data.id);
          done(e.data);
        }
      };
    }
    return worker;
  };
  return (req) =>
    new Promise((resolve) => {
      pending.set(req.id, resolve);
      get().postMessage(req);
    });
}

/** Chrome: the Worker lives in an offscreen document created on first use. */
export function offscreenRunner(browser: typeof Browser): AuditRunners {
  const chromeApi = (globalThis as unknown as { chrome: ChromeOffscreen }).chrome;
  let creating: Promise<void> | undefined;
  const ensure = async () => {
    const contexts = await chromeApi.runtime.getContexts({ contextTypes: ['OFFSCREEN_DOCUMENT'] });
    if (contexts.length > 0) return;
    creating ??= chromeApi.offscreen
      .createDocument({ url: 'offscreen.html', reasons: ['WORKERS'], justification: 'Run the key audit in a Worker, off the service worker.' })
      .finally(() => (creating = undefined));
    await creating;
  };
  return runnersOver(async (req) => {
    await ensure();
    return (await browser.runtime.sendMessage({ target: 'offscreen', request: req })) as WorkerReply | undefined;
  });
}

interface ChromeOffscreen {
  runtime: { getContexts(filter: { contextTypes: string[] }): Promise<unknown[]> };
  offscreen: { createDocument(p: { url: string; reasons: string[]; justification: string }): Promise<void> };
}
