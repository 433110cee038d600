/**
 * @module background/offscreen — Chrome only: the offscreen document that hosts the audit Worker
 * for the service worker. Accepts messages only from this extension's own background.
 */
import { browser } from '../platform/browserEager.ts';
import type { Browser } from '../platform/browser.ts';
import { workerRunner } from './auditRunner.ts';
import { validateWorkerRequest, type WorkerReply } from '../protocol/worker.ts';

const run = workerRunner(browser.runtime.getURL('worker.js'));

browser.runtime.onMessage.addListener((message: unknown, sender: Browser.Runtime.MessageSender) => {
  if (sender.id !== browser.runtime.id || sender.tab !== undefined) return undefined;
  if (typeof message !== 'object' || message === null || (message as { target?: unknown }).target !== 'offscreen') return undefined;
  const req = validateWorkerRequest((message as { request?: unknown }).request, 'request');
  if (!req.ok || req.value.secret !== undefined) return undefined; // secrets never come through the background
  return run(req.value.snapshotJson, req.value.now, req.value.clientStore).then(
    (result): WorkerReply => ({ id: req.value.id, result: result.ok ? result : { ok: false, error: { code: 'internal', message: result.error.message } } }),
  );
});
