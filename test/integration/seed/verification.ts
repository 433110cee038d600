/**
 * @module seed/verification — a real interactive SAS verification between two clients in this
 * process (the flow of matrix-js-sdk's spec/integ/crypto/verification tests): A requests, B
 * accepts, A starts m.sas.v1, both are shown the emoji/decimals, we check they match and both
 * confirm. When it completes, A's Rust crypto signs B's master key with A's user-signing key
 * and uploads the signature (and B does the same for A).
 */
import { CryptoEvent } from 'matrix-js-sdk/lib/crypto-api/index.js';
import { VerificationPhase, VerifierEvent, type ShowSasCallbacks, type VerificationRequest, type Verifier } from 'matrix-js-sdk/lib/crypto-api/verification.js';
import { type SeedClient, waitFor } from './clients.ts';

function sasShown(v: Verifier): Promise<ShowSasCallbacks> {
  const now = v.getShowSasCallbacks();
  if (now) return Promise.resolve(now);
  return new Promise((resolve) => v.once(VerifierEvent.ShowSas, resolve));
}

export async function verifyBySas(a: SeedClient, b: SeedClient, timeoutMs = 30_000): Promise<void> {
  // Each side must know the other's device before a to-device request can be addressed.
  await waitFor(`${a.userId} to know ${b.userId}/${b.deviceId}`, async () => (await a.crypto.getUserDeviceInfo([b.userId], true)).get(b.userId)?.has(b.deviceId), timeoutMs);
  await waitFor(`${b.userId} to know ${a.userId}/${a.deviceId}`, async () => (await b.crypto.getUserDeviceInfo([a.userId], true)).get(a.userId)?.has(a.deviceId), timeoutMs);

  const received = new Promise<VerificationRequest>((resolve) => {
    const on = (req: VerificationRequest) => {
      if (req.otherUserId === a.userId) {
        b.client.off(CryptoEvent.VerificationRequestReceived, on);
        resolve(req);
      }
    };
    b.client.on(CryptoEvent.VerificationRequestReceived, on);
  });
  const requestA = await a.crypto.requestDeviceVerification(b.userId, b.deviceId);
  const requestB = await Promise.race([
    received,
    new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${b.userId} never received the verification request`)), timeoutMs)),
  ]);
  await requestB.accept();
  await waitFor('the request to be ready', () => requestA.phase === VerificationPhase.Ready, timeoutMs);

  const verifierA = await requestA.startVerification('m.sas.v1');
  const doneA = verifierA.verify();
  const verifierB = await waitFor('the other side to start SAS', () => requestB.phase === VerificationPhase.Started && requestB.verifier, timeoutMs);
  const doneB = verifierB.verify();
  const [sasA, sasB] = await Promise.all([sasShown(verifierA), sasShown(verifierB)]);
  const shown = (s: ShowSasCallbacks) => JSON.stringify(s.sas.decimal ?? s.sas.emoji?.map((e) => e[1]));
  if (shown(sasA) !== shown(sasB)) {
    sasA.mismatch();
    sasB.mismatch();
    throw new Error(`SAS mismatch between ${a.userId} and ${b.userId}: ${shown(sasA)} vs ${shown(sasB)}`);
  }
  await Promise.all([sasA.confirm(), sasB.confirm()]);
  await Promise.all([doneA, doneB]);
  await waitFor('both requests to be done', () => requestA.phase === VerificationPhase.Done && requestB.phase === VerificationPhase.Done, timeoutMs);
}
