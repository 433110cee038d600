import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { countBackupSessions } from '../../../src/core/backup/sessions.ts';
import { parseStrictJson, type JsonValue } from '../../../src/core/json/strictJson.ts';
import { encryptBackupEntry, sessionExport, x25519Public } from './backupOracle.ts';

const json = (v: unknown): JsonValue => {
  const r = parseStrictJson(JSON.stringify(v));
  assert.ok(r.ok);
  return r.value;
};
const b64 = (b: Uint8Array) => Buffer.from(b).toString('base64').replace(/=+$/, '');

const PRIV = new Uint8Array(32).fill(0x21);
const PUB = x25519Public(PRIV);
const OTHER_PUB = x25519Public(new Uint8Array(32).fill(0x22));

function entry(sessionData: unknown) {
  return { first_message_index: 0, forwarded_count: 0, is_verified: false, session_data: sessionData };
}

function goodEntry(sessionIdBytes: Uint8Array, backupPub = PUB) {
  return entry(
    encryptBackupEntry(
      backupPub,
      JSON.stringify({ algorithm: 'm.megolm.v1.aes-sha2', forwarding_curve25519_key_chain: [], sender_key: 'x', sender_claimed_keys: { ed25519: 'y' }, session_key: sessionExport(0, sessionIdBytes) }),
    ),
  );
}

describe('backup/sessions', () => {
  describe('countBackupSessions()', () => {
    it('reports decrypted, wrong-key, corrupt and misfiled entries separately', () => {
      const idA = new Uint8Array(32).fill(1);
      const idB = new Uint8Array(32).fill(2);
      const idC = new Uint8Array(32).fill(3);
      const raw = json({
        rooms: {
          '!a:hs': {
            sessions: {
              [b64(idA)]: goodEntry(idA),
              [b64(idB)]: goodEntry(idB, OTHER_PUB), // made for another backup key
              [b64(idC)]: goodEntry(idA), // filed under the wrong session ID
            },
          },
          '!b:hs': {
            sessions: {
              s1: entry(encryptBackupEntry(PUB, 'not json')),
              s2: entry(encryptBackupEntry(PUB, '{}', { badPadByte: 0 })),
              s3: entry({ ephemeral: 'AAAA' }),
              s4: null,
              s5: { session_data: 5 },
              s6: entry({ ...encryptBackupEntry(PUB, '{}'), ephemeral: b64(new Uint8Array(32)) }), // low-order
            },
          },
        },
      });
      assert.deepEqual(countBackupSessions(raw, PRIV), { total: 9, decrypted: 1, failed: 8, wrongKey: 1, corrupt: 6, idMismatch: 1, skipped: 0 });
    });

    it('reports the total only when no key is given', () => {
      const raw = json({ rooms: { '!a:hs': { sessions: { a: goodEntry(new Uint8Array(32)), b: null } } } });
      assert.deepEqual(countBackupSessions(raw), { total: 2, decrypted: 0, failed: 0, wrongKey: 0, corrupt: 0, idMismatch: 0, skipped: 0 });
    });

    it('accepts hostile shapes without throwing', () => {
      const shapes: unknown[] = [null, 5, 'x', [], {}, { rooms: null }, { rooms: [] }, { rooms: { r: null } }, { rooms: { r: { sessions: [] } } }, { rooms: { r: { sessions: 'x' } } }, { rooms: { r: [{}] } }];
      for (const s of shapes) {
        const c = countBackupSessions(json(s), PRIV);
        assert.equal(c.total, 0, JSON.stringify(s));
      }
      assert.equal(countBackupSessions(undefined, PRIV).total, 0);
      // Keys that look like prototype members are just keys.
      const tricky = parseStrictJson('{"rooms":{"constructor":{"sessions":{"toString":null,"hasOwnProperty":{}}}}}');
      assert.ok(tricky.ok);
      assert.deepEqual(countBackupSessions(tricky.value, PRIV), { total: 2, decrypted: 0, failed: 2, wrongKey: 0, corrupt: 2, idMismatch: 0, skipped: 0 });
    });

    it('reports the total of 10^5 entries in well under a second without a key', () => {
      const sessions: Record<string, unknown> = {};
      const sample = goodEntry(new Uint8Array(32));
      for (let i = 0; i < 100_000; i++) sessions[`s${i}`] = sample;
      const rooms: Record<string, unknown> = {};
      for (let r = 0; r < 10; r++) rooms[`!r${r}:hs`] = { sessions: r === 0 ? sessions : {} };
      const raw = json({ rooms });
      const t0 = performance.now();
      const c = countBackupSessions(raw);
      const ms = performance.now() - t0;
      assert.equal(c.total, 100_000);
      assert.ok(ms < 1000, `took ${ms.toFixed(0)} ms`);
    });

    it('reports entries beyond maxDecrypt as skipped', () => {
      const sessions: Record<string, unknown> = {};
      for (let i = 0; i < 30; i++) {
        const id = new Uint8Array(32).fill(i);
        sessions[b64(id)] = goodEntry(id);
      }
      const c = countBackupSessions(json({ rooms: { r: { sessions } } }), PRIV, { maxDecrypt: 10 });
      assert.deepEqual(c, { total: 30, decrypted: 10, failed: 0, wrongKey: 0, corrupt: 0, idMismatch: 0, skipped: 20 });
    });

    it('accepts a few hundred entries at roughly a millisecond each', () => {
      const sessions: Record<string, unknown> = {};
      for (let i = 0; i < 300; i++) {
        const id = new Uint8Array(32).fill(i & 0xff);
        id[0] = i >> 8;
        sessions[b64(id)] = goodEntry(id);
      }
      const raw = json({ rooms: { r: { sessions } } });
      const t0 = performance.now();
      const c = countBackupSessions(raw, PRIV);
      const ms = performance.now() - t0;
      assert.equal(c.decrypted, 300);
      assert.ok(ms < 5000, `took ${ms.toFixed(0)} ms`);
    });

    it('rejects a key that is not 32 bytes as misuse', () => {
      assert.throws(() => countBackupSessions(json({}), new Uint8Array(16)), RangeError);
    });
  });
});
