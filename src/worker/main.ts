/**
 * @module worker/main — the audit Worker entry. Runs core on snapshots posted to it; the only
 * place in the extension that ever holds a recovery key or passphrase (popup → its own Worker).
 */
import { handleWorkerRequest, type WorkerPlatform } from './handleRequest.ts';
import { webCryptoPbkdf2Sha512 } from '../platform/webCryptoPbkdf2.ts';
import { webCryptoEd25519 } from '../platform/webCryptoEd25519.ts';

declare const self: { onmessage: ((e: MessageEvent) => void) | null; postMessage(m: unknown): void };

let platform: Promise<WorkerPlatform> | undefined;
const getPlatform = () => (platform ??= webCryptoEd25519().then((ed25519) => ({ pbkdf2: webCryptoPbkdf2Sha512, ...(ed25519 ? { ed25519 } : {}) })));

self.onmessage = (e: MessageEvent) => {
  void getPlatform().then((p) => handleWorkerRequest(e.data, p)).then((reply) => self.postMessage(reply));
};
