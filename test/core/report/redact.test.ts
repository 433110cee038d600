/**
 * report/redact: the exported copy of a report. Reports come from running core's audit() on the
 * committed demo snapshot and sample snapshots (test/popup/reports.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { redactReport, HASH_HEX_DIGITS } from '../../../src/core/report/redact.ts';
import type { Report } from '../../../src/core/report/types.ts';
import { reportFor, secretText, variant, SAMPLE_NAMES } from '../../popup/reports.ts';

const SALT = new Uint8Array(32).fill(7);
const OTHER_SALT = new Uint8Array(32).fill(9);

const allUserIds = (r: Report) => [...new Set([r.subject.userId, ...r.users.map((u) => u.userId), ...r.findings.flatMap((f) => (f.userId ? [f.userId] : []))])];
const allNames = (r: Report) => [...new Set(r.users.flatMap((u) => u.devices.flatMap((d) => (d.displayName ? [d.displayName] : []))))];
const servers = (r: Report) => [...new Set(allUserIds(r).map((id) => id.slice(id.indexOf(':') + 1)))];

/** The shape of a report without its text: statuses, codes, counts, keys. */
function skeleton(r: Report) {
  return JSON.parse(JSON.stringify({
    anchor: r.anchor,
    users: r.users.map((u) => ({ identity: u.identity, masterKey: u.masterKey, devices: u.devices.map((d) => [d.deviceId, d.status, d.verified, d.ed25519]) })),
    backup: r.backup,
    secretStorage: r.secretStorage,
    recoveryKey: r.recoveryKey,
    findings: r.findings.map((f) => [f.code, f.severity, f.deviceId]),
    notChecked: r.notChecked.length,
  }));
}

describe('report/redact', () => {
  describe('redactReport()', () => {
    it('accepts no options and returns an equal copy, with the redaction named', async () => {
      const r = await reportFor('demo');
      const out = redactReport(r, { hashIds: false, dropDisplayNames: false });
      const { redaction, ...rest } = out;
      assert.deepEqual(rest, JSON.parse(JSON.stringify(r)), 'nothing changes when nothing is asked');
      assert.deepEqual(redaction, { idsHashed: false, displayNamesDropped: false });
    });

    it('never mutates the report it is given', async () => {
      const r = await reportFor('demo');
      const before = JSON.stringify(r);
      redactReport(r, { hashIds: true, salt: SALT, dropDisplayNames: true });
      assert.equal(JSON.stringify(r), before);
    });

    it('hashes every user ID and server name on the demo, everywhere in the JSON', async () => {
      const r = await reportFor('demo');
      const json = JSON.stringify(redactReport(r, { hashIds: true, salt: SALT, dropDisplayNames: false }));
      for (const id of allUserIds(r)) assert.ok(!json.includes(id), `${id} must not survive`);
      for (const s of servers(r)) assert.ok(!json.includes(s), `server ${s} must not survive (it is in every user ID)`);
      assert.match(json, new RegExp(`@user-[0-9a-f]{${HASH_HEX_DIGITS}}`));
      assert.match(json, new RegExp(`server-[0-9a-f]{${HASH_HEX_DIGITS}}`), 'the server in KEYS_QUERY_FAILURE is hashed too');
    });

    it('hashes the same ID the same way everywhere within one export', async () => {
      const r = await reportFor('demo');
      const out = redactReport(r, { hashIds: true, salt: SALT, dropDisplayNames: false });
      const changed = r.findings.findIndex((f) => f.code === 'IDENTITY_CHANGED');
      const f = out.findings[changed]!;
      const u = out.users.find((x) => x.identity === 'changed')!;
      assert.equal(f.userId, u.userId, 'finding and user entry agree');
      assert.ok(f.message.includes(u.userId), 'and the sentence names the same hash');
      assert.equal(out.subject.userId, out.users[0]!.userId, 'the subject is the first user');
    });

    it('gives different hashes with a different salt (exports cannot be linked)', async () => {
      const r = await reportFor('demo');
      const a = redactReport(r, { hashIds: true, salt: SALT, dropDisplayNames: false });
      const b = redactReport(r, { hashIds: true, salt: OTHER_SALT, dropDisplayNames: false });
      assert.notEqual(a.subject.userId, b.subject.userId);
      const c = redactReport(r, { hashIds: true, salt: new Uint8Array(SALT), dropDisplayNames: false });
      assert.equal(a.subject.userId, c.subject.userId, 'same salt, same hash');
    });

    it('keeps every verdict: statuses, codes, device IDs and public keys are untouched', async () => {
      for (const name of ['demo', ...SAMPLE_NAMES]) {
        const r = await reportFor(name);
        const out = redactReport(r, { hashIds: true, salt: SALT, dropDisplayNames: true });
        assert.deepEqual(skeleton(out), skeleton(r), name);
      }
    });

    it('drops display names from devices and from every sentence', async () => {
      const r = await reportFor('demo');
      const names = allNames(r);
      assert.ok(names.length > 3);
      const out = redactReport(r, { hashIds: false, dropDisplayNames: true });
      assert.ok(out.users.every((u) => u.devices.every((d) => !('displayName' in d))));
      const json = JSON.stringify(out);
      for (const n of names) assert.ok(!json.includes(n), `"${n}" must not survive`);
      const stale = out.findings.find((f) => f.code === 'DEVICE_NOT_CROSS_SIGNED' && f.userId === r.subject.userId)!;
      assert.match(stale.message, /^Your session [A-Z]{10} is not verified\./, 'the quoted name is removed cleanly');
    });

    it('does not let a display name equal to a status word change a verdict', async () => {
      const r = variant(await reportFor('demo'), (d) => {
        (d.users[0]!.devices[0] as { displayName?: string }).displayName = 'verified';
      });
      const out = redactReport(r, { hashIds: true, salt: SALT, dropDisplayNames: true });
      assert.equal(out.users[0]!.identity, 'verified');
      assert.deepEqual(skeleton(out), skeleton(r));
    });

    it('hashes hostile user IDs (bidi controls) and room IDs mentioned in evidence', async () => {
      const evil = '@ali\u202Eecod:evil.example';
      const r = variant(await reportFor('honest'), (d) => {
        (d.users[1] as { userId: string }).userId = evil;
        d.findings.push({ code: 'USER_NOT_VERIFIED', severity: 'info', userId: evil, message: `You have not verified ${evil}.`, hint: 'x', evidence: { room: '!abcDEF:example.org', nested: [{ who: evil }] } });
      });
      const json = JSON.stringify(redactReport(r, { hashIds: true, salt: SALT, dropDisplayNames: false }));
      assert.ok(!json.includes('ali\u202E') && !json.includes('evil.example'), 'the hostile ID is gone');
      assert.ok(!json.includes('!abcDEF'), 'the room ID is gone');
      assert.match(json, /!room-[0-9a-f]{12}/);
    });

    it('rebuilds from the contract: fields outside it, and secret-named evidence, are not carried', async () => {
      const r = variant(await reportFor('honest'), (d) => {
        (d as Record<string, unknown>)['accessToken'] = 'syt_secret';
        (d.users[0] as unknown as Record<string, unknown>)['privateKey'] = 'PRIVATE';
        d.findings.push({ code: 'RESPONSE_MALFORMED', severity: 'warning', message: 'm', hint: 'h', evidence: { access_token: 'syt_x', privateKey: 'k', recoveryKey: 'EsTp', fine: 'kept', deep: { passphrase: 'p' } } });
      });
      const out = redactReport(r, { hashIds: false, dropDisplayNames: false });
      const json = JSON.stringify(out);
      for (const s of ['syt_secret', 'PRIVATE', 'syt_x', '"k"', 'EsTp', '"p"']) assert.ok(!json.includes(s), `${s} must not be exported`);
      assert.deepEqual(out.findings.at(-1)!.evidence, { fine: 'kept', deep: {} });
    });

    it('holds no part of the recovery key after a check (the report never had it)', async () => {
      const key = secretText('honest', 'recovery-key')!;
      const r = await reportFor('honest', { kind: 'recovery-key', text: key });
      const json = JSON.stringify(redactReport(r, { hashIds: true, salt: SALT, dropDisplayNames: true }));
      for (const group of key.split(/\s+/).slice(1)) assert.ok(!json.includes(group), `key group ${group} must not appear`);
      assert.equal(JSON.parse(json).recoveryKey.status, 'correct');
    });

    it('rejects hashing without a salt of at least 16 bytes (misuse throws)', async () => {
      const r = await reportFor('honest');
      assert.throws(() => redactReport(r, { hashIds: true, dropDisplayNames: false }), TypeError);
      assert.throws(() => redactReport(r, { hashIds: true, salt: new Uint8Array(8), dropDisplayNames: false }), TypeError);
    });
  });
});
