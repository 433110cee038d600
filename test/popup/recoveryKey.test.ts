/**
 * popup/view/recoveryKey and popup/recoveryWorker: the answer to a recovery-key check, and how the
 * popup hands the key to its Worker. Reports come from running core's audit() on the committed
 * samples with their recovery key or passphrase (./reports.ts); the fake Worker below runs the same
 * audit() on what it is posted, after a real structured-clone transfer.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { recoveryKeyView, typedShape, markPosition, groupOf } from '../../src/popup/view/recoveryKey.ts';
import { checkSecretInWorker, secretBytes, wipeBytes, type WorkerLike } from '../../src/popup/recoveryWorker.ts';
import { encodeRecoveryKey } from '../../src/core/recoveryKey/recoveryKey.ts';
import { audit } from '../../src/core/audit.ts';
import { parseStrictJson } from '../../src/core/json/strictJson.ts';
import type { WorkerAuditRequest } from '../../src/protocol/worker.ts';
import { reportFor, secretText, snapshotJson } from './reports.ts';

const key = (name: string) => secretText(name, 'recovery-key')!;
/** A well-formed recovery key that belongs to no sample account. */
const STRANGER = encodeRecoveryKey(new Uint8Array(32).fill(42));

describe('popup/view/recoveryKey', () => {
  describe('recoveryKeyView()', () => {
    it('reports the right key: current, unlocks 4 of 4 secrets, opens the current backup', async () => {
      const r = await reportFor('honest', { kind: 'recovery-key', text: key('honest') });
      const v = recoveryKeyView(r.recoveryKey, 'recovery-key', r.secretStorage.defaultKeyId);
      assert.equal(v.tone, 'ok');
      assert.equal(v.headline, 'Correct: this is your current recovery key.');
      assert.deepEqual(v.details, ['It unlocks all 4 secrets in your secret storage.', 'It opens your current key backup.']);
    });

    it('reports the right key that unlocks 3 of 4 secrets and not the current backup', async () => {
      const name = 'backup-key-differs-from-secret-storage';
      const r = await reportFor(name, { kind: 'recovery-key', text: key(name) });
      const v = recoveryKeyView(r.recoveryKey, 'recovery-key', r.secretStorage.defaultKeyId);
      assert.equal(v.tone, 'warning');
      assert.match(v.details[0]!, /^It unlocks 3 of the 4 secrets/);
      assert.equal(v.details[1], 'It does not open your current key backup.');
    });

    it('reports an old key, naming the key it opens and the one in use', async () => {
      const name = 'secret-storage-default-key-replaced';
      const r = await reportFor(name, { kind: 'recovery-key', text: key(name) });
      const v = recoveryKeyView(r.recoveryKey, 'recovery-key', r.secretStorage.defaultKeyId);
      assert.equal(v.status, 'matches-other-key');
      assert.equal(v.headline, 'This is an old recovery key.');
      assert.match(v.details[0]!, /opens the secret-storage key "OZMZIGGniNGoLQiriygv08ChJXNxnC34", not "Wnl81qgZ4FO2MVH7RLcY94TH3ovtQilI", which your account uses now/);
    });

    it('reports a wrong key', async () => {
      const r = await reportFor('honest', { kind: 'recovery-key', text: STRANGER });
      const v = recoveryKeyView(r.recoveryKey, 'recovery-key');
      assert.equal(v.status, 'wrong');
      assert.equal(v.headline, 'Wrong: this recovery key does not open your secret storage or your key backup.');
    });

    it('reports a malformed key with its reason and position (1-based, spaces included)', async () => {
      const typed = key('honest').replace(/.$/, '0'); // "0" is never in a recovery key
      const r = await reportFor('honest', { kind: 'recovery-key', text: typed });
      const v = recoveryKeyView(r.recoveryKey, 'recovery-key');
      assert.equal(v.status, 'malformed');
      assert.equal(v.position, Array.from(typed).length);
      assert.equal(v.headline, `Not a recovery key: the problem is at character ${v.position}.`);
      assert.match(v.details[0]!, /never appears in a recovery key/);
      const short = await reportFor('honest', { kind: 'recovery-key', text: 'EsTp 64oi' });
      assert.match(recoveryKeyView(short.recoveryKey, 'recovery-key').details[0]!, /48 letters and digits/);
      const parity = await reportFor('honest', { kind: 'recovery-key', text: swapLastTwo(key('honest')) });
      assert.equal(parity.recoveryKey.reason, 'bad-parity');
      assert.match(recoveryKeyView(parity.recoveryKey, 'recovery-key').details[0]!, /check digit/);
    });

    it('reports the right passphrase, and a wrong one', async () => {
      const pass = secretText('honest-with-passphrase', 'passphrase')!;
      const ok = await reportFor('honest-with-passphrase', { kind: 'passphrase', text: pass });
      assert.equal(recoveryKeyView(ok.recoveryKey, 'passphrase').headline, 'Correct: this is your current passphrase.');
      const bad = await reportFor('honest-with-passphrase', { kind: 'passphrase', text: `${pass}x` });
      assert.equal(recoveryKeyView(bad.recoveryKey, 'passphrase').headline, 'Wrong: this passphrase does not open your secret storage.');
    });

    it('reports a passphrase that cannot be checked when none was set up', async () => {
      const r = await reportFor('honest', { kind: 'passphrase', text: 'anything' });
      const v = recoveryKeyView(r.recoveryKey, 'passphrase');
      assert.equal(v.status, 'unconfirmed');
      assert.equal(v.headline, 'Your account has no passphrase set up, so a passphrase cannot be checked.');
      assert.match(v.details[0]!, /Check your recovery key instead/);
    });

    it('reports the raw backup key as an older kind of key', () => {
      const v = recoveryKeyView({ status: 'matches-other-key', reason: 'backup-decryption-key', unlocked: { secrets: 0, of: 4, backup: true } }, 'recovery-key');
      assert.match(v.headline, /key backup's own key/);
    });
  });

  describe('typedShape() / markPosition()', () => {
    it('keeps only the shape of what was typed, counted in code points like the core', () => {
      assert.equal(typedShape('Es a\nb😀'), '•• • ••');
      assert.deepEqual(markPosition('•• • ••', 6), { before: '•• • ', at: '•', after: '•' });
      assert.equal(markPosition('••', 3), undefined);
      assert.equal(markPosition('••', 0), undefined);
    });
    it('reports the group and the character in it, as the key was written', () => {
      const shape = typedShape('EsTp 64oi 3Dtm Aw8k rYZL jYR3 9MGT zV9j aq4H GrAx SiPg EWe0');
      assert.deepEqual(groupOf(shape, 59), { group: 12, index: 4 });
      assert.deepEqual(groupOf(shape, 1), { group: 1, index: 1 });
      assert.equal(groupOf('••  ••', 3), undefined, 'whitespace is in no group');
      assert.equal(groupOf(shape, 500), undefined);
    });
  });
});

function swapLastTwo(k: string): string {
  const c = Array.from(k);
  const n = c.length;
  [c[n - 1], c[n - 2]] = [c[n - 2]!, c[n - 1]!];
  return c.join('');
}

/** A Worker stand-in: a real structured-clone transfer (so the sender's buffer detaches), then core's audit(). */
class FakeWorker implements WorkerLike {
  onmessage: ((e: MessageEvent) => void) | null = null;
  onerror: ((e: ErrorEvent) => void) | null = null;
  terminated = false;
  received?: WorkerAuditRequest;
  private readonly behaviour: 'audit' | 'silent' | 'other-id';
  constructor(behaviour: 'audit' | 'silent' | 'other-id' = 'audit') {
    this.behaviour = behaviour;
  }
  postMessage(message: unknown, transfer: Transferable[]): void {
    const req = structuredClone(message, { transfer }) as WorkerAuditRequest;
    this.received = req;
    if (this.behaviour === 'silent') return;
    void (async () => {
      if (this.behaviour === 'other-id') this.onmessage?.({ data: { id: 'someone-else', result: { ok: false, error: { code: 'internal', message: 'x' } } } } as MessageEvent);
      const parsed = parseStrictJson(req.snapshotJson);
      const r = await audit(parsed.ok ? parsed.value : null, { now: new Date(req.now), ...(req.secret ? { secret: req.secret } : {}) });
      this.onmessage?.({ data: { id: req.id, result: r.ok ? { ok: true, value: r.value } : { ok: false, error: { code: 'bad-snapshot', message: r.error.message } } } } as MessageEvent);
    })();
  }
  terminate(): void {
    this.terminated = true;
  }
}

describe('popup/recoveryWorker', () => {
  describe('checkSecretInWorker()', () => {
    it('transfers the key bytes (the popup keeps none), gets the report, and ends the Worker', async () => {
      const bytes = secretBytes(key('honest'));
      const w = new FakeWorker();
      const r = await checkSecretInWorker({ snapshotJson: snapshotJson('honest'), secret: { kind: 'recovery-key', text: bytes }, now: new Date('2026-12-04T15:00:00Z'), createWorker: () => w });
      assert.equal(bytes.byteLength, 0, 'the buffer moved to the Worker');
      assert.throws(() => bytes.fill(0), TypeError, 'fill on a detached buffer throws (as in browsers)…');
      assert.doesNotThrow(() => wipeBytes(bytes), '…so the popup wipes with wipeBytes');
      assert.ok(r.ok);
      assert.equal(r.value.recoveryKey.status, 'correct');
      assert.equal(w.terminated, true);
      assert.equal(w.received!.secret!.text.every((b) => b === 0), true, 'the audit wiped its copy');
      assert.ok(!JSON.stringify(r.value).includes(key('honest').split(' ')[3]!), 'no part of the key comes back');
    });

    it('ignores answers to other requests', async () => {
      const r = await checkSecretInWorker({ snapshotJson: snapshotJson('honest'), secret: { kind: 'recovery-key', text: secretBytes(STRANGER) }, now: new Date(), createWorker: () => new FakeWorker('other-id') });
      assert.ok(r.ok);
      assert.equal(r.value.recoveryKey.status, 'wrong');
    });

    it('reports a Worker that does not answer, and ends it', async () => {
      const w = new FakeWorker('silent');
      const r = await checkSecretInWorker({ snapshotJson: '{}', secret: { kind: 'recovery-key', text: secretBytes('x') }, now: new Date(), createWorker: () => w, timeoutMs: 20 });
      assert.deepEqual(r, { ok: false, error: { code: 'internal', message: 'The check took too long and was stopped.' } });
      assert.equal(w.terminated, true);
    });

    it('wipes the bytes when the Worker cannot start', async () => {
      const bytes = secretBytes('EsTp 64oi');
      const r = await checkSecretInWorker({
        snapshotJson: '{}',
        secret: { kind: 'recovery-key', text: bytes },
        now: new Date(),
        createWorker: () => {
          throw new Error('no workers here');
        },
      });
      assert.equal(r.ok, false);
      assert.ok(bytes.every((b) => b === 0));
    });

    it('reports a Worker error as data', async () => {
      const w = new FakeWorker('silent');
      const p = checkSecretInWorker({ snapshotJson: '{}', secret: { kind: 'recovery-key', text: secretBytes('x') }, now: new Date(), createWorker: () => w });
      w.onerror?.({ preventDefault() {} } as ErrorEvent);
      const r = await p;
      assert.equal(r.ok, false);
      assert.equal(w.terminated, true);
    });
  });

  describe('secretBytes()', () => {
    it('encodes UTF-8 into a buffer of its own', () => {
      const b = secretBytes('pässword');
      assert.deepEqual([...b], [...new TextEncoder().encode('pässword')]);
      assert.equal(b.byteOffset, 0);
      assert.equal(b.buffer.byteLength, b.byteLength);
    });
  });
});
