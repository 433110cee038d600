/**
 * @module worker/handleRequest — what the audit Worker does with one message: validate, parse
 * the snapshot strictly, run the core audit, reply with data. The secret (if any) is wiped on
 * every path; nothing of it is ever in a reply.
 */
import { err, ok } from '../core/result.ts';
import { audit } from '../core/audit.ts';
import { parseStrictJson, describeJsonError } from '../core/json/strictJson.ts';
import type { Ed25519Equation } from '../core/crypto/ed25519Policy.ts';
import type { Pbkdf2Sha512 } from '../core/crypto/pbkdf2.ts';
import { validateWorkerRequest, type WorkerReply } from '../protocol/worker.ts';

export interface WorkerPlatform {
  readonly pbkdf2?: Pbkdf2Sha512;
  readonly ed25519?: Ed25519Equation;
}

/** Wipes any byte array found at `data.secret.text`, whatever else the message looks like. */
function wipeIncomingSecret(data: unknown): void {
  const secret = typeof data === 'object' && data !== null ? (data as { secret?: { text?: unknown } }).secret : undefined;
  if (secret && ArrayBuffer.isView(secret.text)) new Uint8Array(secret.text.buffer, secret.text.byteOffset, secret.text.byteLength).fill(0);
}

export async function handleWorkerRequest(data: unknown, platform: WorkerPlatform): Promise<WorkerReply> {
  const id = typeof data === 'object' && data !== null && typeof (data as { id?: unknown }).id === 'string' ? ((data as { id: string }).id).slice(0, 100) : '';
  const req = validateWorkerRequest(data, 'request');
  if (!req.ok) {
    wipeIncomingSecret(data);
    return { id, result: err({ code: 'bad-request', message: req.error }) };
  }
  const { snapshotJson, now, secret } = req.value;
  try {
    const when = new Date(now);
    if (Number.isNaN(when.getTime())) return { id, result: err({ code: 'bad-request', message: 'request.now is not a date' }) };
    const parsed = parseStrictJson(snapshotJson);
    if (!parsed.ok) return { id, result: err({ code: 'bad-snapshot', message: `the snapshot is not valid JSON: ${describeJsonError(parsed.error)}` }) };
    const report = await audit(parsed.value, { now: when, ...(secret ? { secret } : {}), ...(platform.pbkdf2 ? { pbkdf2: platform.pbkdf2 } : {}), ...(platform.ed25519 ? { ed25519: platform.ed25519 } : {}) });
    return { id, result: report.ok ? ok(report.value) : err({ code: 'bad-snapshot', message: report.error.message }) };
  } catch (e) {
    return { id, result: err({ code: 'internal', message: `internal error: ${e instanceof Error ? e.message : String(e)}` }) };
  } finally {
    secret?.text.fill(0);
    wipeIncomingSecret(data);
  }
}
