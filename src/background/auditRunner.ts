/**
 * @module background/auditRunner — runs the core audit in a Worker, off the background's event
 * loop. Firefox's event page can start a Worker itself; a Chrome MV3 service worker cannot, so
 * Chrome hosts the Worker in an offscreen document (reason WORKERS) and talks to it by runtime
 * messages addressed `target: 'offscreen'`.
 */
import { type Result, ok, err } from '../core/result.ts';
import type { Report } from '../core/report/types.ts';
import type { MessageError } from '../protocol/messages.ts';
import type { ClientStoreInput, WorkerAuditRequest, WorkerReply } from '../protocol/worker.ts';
import type { Browser } from '../platform/browser.ts';

export type RunAudit = (snapshotJson: string, now: string, clientStore?: ClientStoreInput) => Promise<Result<Report, MessageError>>;

let counter = 0;
const nextId = () => `audit-${Date.now()}-${++counter}`;

const toResult = (reply: WorkerReply | undefined): Result<Report, MessageError> => {
  if (!reply || typeof reply !== 'object' || !('result' in reply)) return err({ code: 'audit-failed', message: 'The audit worker did not answer.' });
  return reply.result.ok ? ok(reply.result.value) : err({ code: 'audit-failed', message: reply.result.error.message });
};

/** Firefox (and any context that can construct a Worker): one Worker, requests matched by id. */
export function workerRunner(workerUrl: string): RunAudit {
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
  return (snapshotJson, now, clientStore) =>
    new Promise((resolve) => {
      const id = nextId();
      pending.set(id, (r) => resolve(toResult(r)));
      const req: WorkerAuditRequest = { kind: 'audit', id, snapshotJson, now, ...(clientStore ? { clientStore } : {}) };
      get().postMessage(req);
    });
}

/** Chrome: the Worker lives in an offscreen document created on first use. */
export function offscreenRunner(browser: typeof Browser): RunAudit {
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
  return async (snapshotJson, now, clientStore) => {
    await ensure();
    const req: WorkerAuditRequest = { kind: 'audit', id: nextId(), snapshotJson, now, ...(clientStore ? { clientStore } : {}) };
    const reply = (await browser.runtime.sendMessage({ target: 'offscreen', request: req })) as WorkerReply | undefined;
    return toResult(reply);
  };
}

interface ChromeOffscreen {
  runtime: { getContexts(filter: { contextTypes: string[] }): Promise<unknown[]> };
  offscreen: { createDocument(p: { url: string; reasons: string[]; justification: string }): Promise<void> };
}
