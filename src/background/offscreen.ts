/**
 * @module background/offscreen — Chrome only: the offscreen document that hosts the audit Worker
 * for the service worker. Accepts messages only from this extension's own background.
 */
import { browser } from '../platform/browserEager.ts';
import type { Browser } from '../platform/browser.ts';
import { workerChannel } from './auditRunner.ts';
import { validateWorkerRequest, type WorkerReply } from '../protocol/worker.ts';

const send = workerChannel(browser.runtime.getURL('worker.js'));

browser.runtime.onMessage.addListener((message: unknown, sender: Browser.Runtime.MessageSender) => {
  if (sender.id !== browser.runtime.id || sender.tab !== undefined) return undefined;
  if (typeof message !== 'object' || message === null || (message as { target?: unknown }).target !== 'offscreen') return undefined;
  const req = validateWorkerRequest((message as { request?: unknown }).request, 'request');
  if (!req.ok || req.value.secret !== undefined) return undefined; // secrets never come through the background
  // The request as validated, to the Worker; its reply (report, and an offline audit's snapshot) back.
  return send(req.value).then((reply): WorkerReply => reply ?? { id: req.value.id, result: { ok: false, error: { code: 'internal', message: 'The audit worker did not answer.' } } });
});
