/**
 * @module popup/recoveryWorker — runs a recovery-key (or passphrase) check in a Worker the popup
 * starts itself (issue 4 item 4, security.md §5 "Secrets": the key never reaches the background).
 * The typed bytes are *transferred*, not copied: after `postMessage` the popup's buffer is detached
 * (empty), and the Worker wipes its copy after the audit. The reply is a full report (no secret in
 * it) from the same snapshot, with `recoveryKey` filled in.
 */
import type { Report } from '../core/report/types.ts';
import type { Result } from '../core/result.ts';
import type { WorkerAuditRequest, WorkerError } from '../protocol/worker.ts';

/** What the popup needs of a Worker (a real `Worker`, or a fake in tests). */
export interface WorkerLike {
  postMessage(message: unknown, transfer: Transferable[]): void;
  onmessage: ((e: MessageEvent) => void) | null;
  onerror: ((e: ErrorEvent) => void) | null;
  terminate(): void;
}

export interface SecretCheck {
  readonly snapshotJson: string;
  readonly secret: { readonly kind: 'recovery-key' | 'passphrase'; readonly text: Uint8Array };
  /** The time of the audit (core has no clock). */
  readonly now: Date;
  /** Starts the Worker (in the popup: `new Worker(<extension URL of worker.js>)`). */
  readonly createWorker: () => WorkerLike;
  /** Gives up after this long; a passphrase (500 000 PBKDF2 rounds) takes a few seconds. */
  readonly timeoutMs?: number;
}

let counter = 0;

const fail = (code: WorkerError['code'], message: string): { ok: false; error: WorkerError } => ({ ok: false, error: { code, message } });

/**
 * Posts the snapshot and the secret to a fresh Worker and waits for its report.
 * The secret's buffer is transferred (or, if posting fails, wiped); the Worker is always ended.
 * @returns the Worker's report, or why there is none
 */
export function checkSecretInWorker(check: SecretCheck): Promise<Result<Report, WorkerError>> {
  const id = `rk-${Date.now().toString(36)}-${++counter}`;
  const { text } = check.secret;
  let worker: WorkerLike;
  try {
    worker = check.createWorker();
  } catch (e) {
    wipeBytes(text);
    return Promise.resolve(fail('internal', `Could not start the checking Worker: ${e instanceof Error ? e.message : String(e)}`));
  }
  return new Promise((resolve) => {
    let done = false;
    const finish = (r: Result<Report, WorkerError>) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      worker.onmessage = null;
      worker.onerror = null;
      worker.terminate();
      resolve(r);
    };
    const timer = setTimeout(() => finish(fail('internal', 'The check took too long and was stopped.')), check.timeoutMs ?? 120_000);
    worker.onmessage = (e: MessageEvent) => {
      const data = e.data as { id?: unknown; result?: unknown } | null;
      if (typeof data !== 'object' || data === null || data.id !== id) return; // not the answer to this request
      const result = data.result as { ok?: unknown; value?: unknown; error?: unknown } | undefined;
      if (result?.ok === true && typeof result.value === 'object' && result.value !== null) finish({ ok: true, value: result.value as Report });
      else if (result?.ok === false && typeof result.error === 'object' && result.error !== null) {
        const err = result.error as { code?: unknown; message?: unknown };
        const code = err.code === 'bad-request' || err.code === 'bad-snapshot' ? err.code : 'internal';
        finish(fail(code, typeof err.message === 'string' ? err.message : 'The check failed.'));
      } else finish(fail('internal', 'The checking Worker sent an answer Crosscheck does not understand.'));
    };
    worker.onerror = (e: ErrorEvent) => {
      e.preventDefault?.();
      finish(fail('internal', 'The checking Worker stopped with an error.'));
    };
    const request: WorkerAuditRequest = { kind: 'audit', id, snapshotJson: check.snapshotJson, now: check.now.toISOString(), secret: { kind: check.secret.kind, text } };
    try {
      // Transfer: the bytes move to the Worker and this side's buffer becomes empty.
      worker.postMessage(request, [text.buffer]);
    } catch (e) {
      wipeBytes(text);
      finish(fail('internal', `Could not hand the key to the checking Worker: ${e instanceof Error ? e.message : String(e)}`));
    }
  });
}

/**
 * Zeroes bytes still held here. A transferred buffer is detached (length 0), and `fill` on a
 * detached array throws, so only a buffer that is still ours is wiped.
 */
export function wipeBytes(bytes: Uint8Array): void {
  if (bytes.byteLength > 0) bytes.fill(0);
}

/**
 * Turns typed text into UTF-8 bytes in a buffer of their own (so transferring it moves nothing
 * else). The caller clears the input field at once; the string itself cannot be wiped.
 */
export function secretBytes(typed: string): Uint8Array {
  const encoded = new TextEncoder().encode(typed);
  if (encoded.byteOffset === 0 && encoded.byteLength === encoded.buffer.byteLength) return encoded;
  const own = new Uint8Array(encoded);
  encoded.fill(0);
  return own;
}
