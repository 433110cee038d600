/**
 * `npm run bench`: how fast the core audits a large account, as ratios against a named baseline
 * measured in the same process (never as timed tests).
 *
 * Account: the deterministic generator's 1,000-user account (test/fixtures/generator), 3 devices
 * per other user, 5 own devices. Rows:
 * - baseline "plain noble verify": the trust graph with every signature checked by
 *   `ed25519.verify(sig, msg, key, { zip215: false })` and no further policy — the cost of the
 *   graph plus the cheapest strict-ish verifier in JavaScript;
 * - "strict policy, noble": what the CLI does without WebCrypto (key checks cached, S/R checks,
 *   cofactorless equation);
 * - "strict policy, WebCrypto equation": the same policy with the equation delegated to the
 *   platform (what the CLI and the extension use);
 * - "full audit, WebCrypto + recovery key": everything, including 4S decryption and backup
 *   session decryption.
 * Each row is the median of several runs after a warm-up.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { generateAccount } from '../test/fixtures/generator/account.ts';
import { parseStrictJson } from '../src/core/json/strictJson.ts';
import { readSnapshot } from '../src/core/snapshot/snapshot.ts';
import { buildTrustModel } from '../src/core/trust/buildTrustModel.ts';
import { policyVerifier, resetPublicKeyCache, type BatchVerifier, type SignatureVerdict } from '../src/core/crypto/ed25519Policy.ts';
import { webCryptoEd25519 } from '../src/platform/webCryptoEd25519.ts';
import { audit } from '../src/core/audit.ts';

const USERS = Number(process.env['BENCH_USERS'] ?? 1000);
const RUNS = Number(process.env['BENCH_RUNS'] ?? 5);

const t0 = performance.now();
const { snapshot, secrets } = generateAccount({ seed: 'crosscheck-bench-v1', users: USERS, devicesPerUser: 3, ownDevices: 5 });
const text = JSON.stringify(snapshot);
console.log(`account: ${USERS} users, ${(text.length / 1e6).toFixed(1)} MB of snapshot JSON, generated in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

const t1 = performance.now();
const parsed = parseStrictJson(text);
if (!parsed.ok) throw new Error('bench snapshot does not parse');
const parseMs = performance.now() - t1;
const t2 = performance.now();
JSON.parse(text);
const jsonParseMs = performance.now() - t2;
console.log(`strict JSON reader: ${parseMs.toFixed(0)} ms (JSON.parse: ${jsonParseMs.toFixed(0)} ms, ratio ${(parseMs / jsonParseMs).toFixed(1)}×)`);
const snap = readSnapshot(parsed.value);
if (!snap.ok) throw new Error(snap.error.message);

const plainNoble: BatchVerifier = async (checks) =>
  checks.map((c): SignatureVerdict => {
    try {
      return ed25519.verify(c.signature, c.message, c.publicKey, { zip215: false }) ? { state: 'valid' } : { state: 'invalid', reason: 'equation' };
    } catch {
      return { state: 'invalid', reason: 'bad-length' };
    }
  });

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] as number;

async function time(name: string, fn: () => Promise<number>): Promise<{ name: string; ms: number; sigs: number }> {
  await fn(); // warm-up (fills the key cache the way a real second audit would not: see note below)
  const times: number[] = [];
  let sigs = 0;
  for (let i = 0; i < RUNS; i++) {
    const s = performance.now();
    sigs = await fn();
    times.push(performance.now() - s);
  }
  return { name, ms: median(times), sigs };
}

const native = await webCryptoEd25519();

// A first audit in a fresh process (the extension's Worker, the CLI): no public key validated yet.
resetPublicKeyCache();
const coldStart = performance.now();
const cold = await audit(parsed.value, { now: new Date('2026-12-04T15:00:00Z'), ...(native ? { ed25519: native } : {}) });
if (!cold.ok) throw new Error(cold.error.message);
const coldMs = performance.now() - coldStart;

const rows = [
  await time('baseline: plain noble verify', async () => (await buildTrustModel(snap.value, { masterProvenByRecoveryKey: false, verifier: plainNoble })).signaturesChecked),
  await time('strict policy, noble', async () => (await buildTrustModel(snap.value, { masterProvenByRecoveryKey: false, verifier: policyVerifier() })).signaturesChecked),
  ...(native
    ? [await time('strict policy, WebCrypto equation', async () => (await buildTrustModel(snap.value, { masterProvenByRecoveryKey: false, verifier: policyVerifier(native) })).signaturesChecked)]
    : []),
  await time(`full audit${native ? ', WebCrypto' : ''} + recovery key`, async () => {
    const r = await audit(parsed.value, {
      now: new Date('2026-12-04T15:00:00Z'),
      secret: { kind: 'recovery-key', text: new TextEncoder().encode(secrets.recoveryKey) },
      ...(native ? { ed25519: native } : {}),
    });
    if (!r.ok) throw new Error(r.error.message);
    return r.value.users.reduce((n, u) => n + u.devices.length, 0);
  }),
];

const base = rows[0]!.ms;
console.log(`\n${'row'.padEnd(44)} ${'median ms'.padStart(10)} ${'sigs/s'.padStart(10)} ${'× baseline'.padStart(11)}`);
for (const r of rows) {
  const perSec = r.name.startsWith('full audit') ? '' : Math.round((r.sigs / r.ms) * 1000).toString();
  console.log(`${r.name.padEnd(44)} ${r.ms.toFixed(0).padStart(10)} ${perSec.padStart(10)} ${(r.ms / base).toFixed(2).padStart(11)}`);
}
console.log(`${'first audit, cold key cache' + (native ? ', WebCrypto' : '')}`.padEnd(44) + ` ${coldMs.toFixed(0).padStart(10)} ${''.padStart(10)} ${(coldMs / base).toFixed(2).padStart(11)}`);
console.log(`\nsignatures per audit: ${rows[0]!.sigs}; ${RUNS} timed runs per row after one warm-up (the public-key cache is warm after it, as in a repeated audit).`);
