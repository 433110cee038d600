/**
 * popup/view/summary: the first line a person reads. Reports come from running core's audit() on
 * the committed demo and sample snapshots (./reports.ts), with and without the recovery key.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { summarize } from '../../src/popup/view/summary.ts';
import type { Report } from '../../src/core/report/types.ts';
import { reportFor, secretText, variant, SAMPLE_NAMES } from './reports.ts';

/** The honest sample with nothing left to say: every other user verified with all sessions signed, no findings. */
async function allGood(): Promise<Report> {
  return variant(await reportFor('honest'), (d) => {
    d.users.splice(1);
    d.findings.splice(0);
    d.notChecked.splice(0);
  });
}

describe('popup/view/summary', () => {
  describe('summarize()', () => {
    it('reports the demo as "2 of your 4 sessions are not verified", then the other problems', async () => {
      const s = summarize(await reportFor('demo'));
      assert.equal(s.headline, '2 of your 4 sessions are not verified');
      assert.equal(s.headlineSection, 'sessions');
      assert.equal(s.tone, 'warning');
      assert.deepEqual(
        s.more.map((m) => m.text),
        ['Your key backup cannot be trusted', '1 person you talk to has a new identity', '1 person you verified has sessions they did not sign', 'The keys of 3 people could not be fetched'],
      );
      assert.deepEqual(s.more.map((m) => m.section), ['backup', 'people', 'people', 'people']);
      assert.equal(s.notCheckedNote, '1 thing could not be checked (listed at the end).');
    });

    it('reports "Everything checks out" only when no error or warning was found', async () => {
      const s = summarize(await allGood());
      assert.equal(s.headline, 'Everything checks out');
      assert.equal(s.tone, 'ok');
      assert.equal(s.notCheckedNote, undefined);
      for (const name of ['demo', ...SAMPLE_NAMES]) {
        const r = await reportFor(name);
        const problems = r.findings.filter((f) => f.severity !== 'info').length;
        if (problems > 0) assert.notEqual(summarize(r).headline, 'Everything checks out', `${name} has ${problems} problems`);
      }
    });

    it('still says what was not checked when everything that was checked is fine', async () => {
      const r = variant(await allGood(), (d) => d.notChecked.push('key backup: no data'));
      const s = summarize(r);
      assert.equal(s.headline, 'Everything checks out');
      assert.equal(s.notCheckedNote, '1 thing could not be checked (listed at the end).');
    });

    it('reports an untrusted backup as "Your key backup cannot be trusted"', async () => {
      const s = summarize(await reportFor('backup-signed-only-by-unverified-device'));
      assert.ok([s.headline, ...s.more.map((m) => m.text)].includes('Your key backup cannot be trusted'));
    });

    it('reports a backup key mismatch (with the recovery key) as an error', async () => {
      const r = await reportFor('backup-key-differs-from-secret-storage', { kind: 'recovery-key', text: secretText('backup-key-differs-from-secret-storage', 'recovery-key')! });
      const s = summarize(r);
      assert.equal(s.headline, 'Your key backup cannot be trusted: its key is not the one you hold');
      assert.equal(s.tone, 'error');
    });

    it('reports own sessions not verified with the count of the sessions reported', async () => {
      assert.equal(summarize(await reportFor('own-device-not-cross-signed')).headline, '1 of your 3 sessions is not verified');
      assert.equal(summarize(await reportFor('own-device-signed-by-previous-self-signing-key')).headline, '1 of your 3 sessions is not verified');
    });

    it('reports other people: a changed identity, refused keys, a lapsed verification, broken sessions', async () => {
      const lines = async (n: string) => {
        const s = summarize(await reportFor(n));
        return [s.headline, ...s.more.map((m) => m.text)];
      };
      assert.ok((await lines('other-user-reset-after-verification')).includes('1 person you talk to has a new identity'));
      assert.ok((await lines('master-key-with-two-keys')).includes('The keys of 1 person you talk to are invalid'));
      assert.ok((await lines('device-id-is-cross-signing-key')).includes('The keys of 1 person you talk to are invalid'));
      assert.ok((await lines('tampered-user-signing-key-signature')).includes('Your verification of 1 person no longer counts'));
      assert.ok((await lines('tampered-device-self-signature')).includes('1 person you talk to has a session with broken keys'));
      assert.ok((await lines('keys-query-failure')).includes('The keys of 2 people could not be fetched'));
    });

    it('reports an old recovery key, and secret storage out of date', async () => {
      const name = 'secret-storage-default-key-replaced';
      const s = summarize(await reportFor(name, { kind: 'recovery-key', text: secretText(name, 'recovery-key')! }));
      const all = [s.headline, ...s.more.map((m) => m.text)];
      assert.ok(all.includes('That is an old recovery key'));
      assert.ok(all.includes('Your secret storage is incomplete or out of date'));
    });

    it('reports a wrong passphrase as a wrong passphrase', async () => {
      const r = await reportFor('honest-with-passphrase', { kind: 'passphrase', text: 'not the passphrase' });
      assert.equal(r.recoveryKey.status, 'wrong');
      const s = summarize(r, 'passphrase');
      assert.equal(s.headline, 'That passphrase is wrong');
      assert.equal(s.tone, 'error');
    });

    it('reports our own identity first when nothing vouches for it, or only a page-writable flag', async () => {
      const unanchored = variant(await reportFor('honest'), (d) => {
        (d as { anchor: string }).anchor = 'none';
        (d.users[0] as { identity: string }).identity = 'unanchored';
        for (const dev of d.users[0]!.devices) (dev as { verified: boolean }).verified = false;
      });
      const s = summarize(unanchored);
      assert.equal(s.headline, 'Nothing confirms that your identity is really yours');
      assert.equal(s.more[0]?.text, 'None of your 3 sessions can count as verified while your identity is not confirmed');
      const flag = variant(await allGood(), (d) => {
        (d as { anchor: string }).anchor = 'client-store-flag';
      });
      assert.equal(summarize(flag).headline, 'Only a flag the web page could have written confirms your identity');
    });

    it('reports a missing own user rather than guessing', async () => {
      const r = variant(await reportFor('honest'), (d) => d.users.splice(0, 1));
      const s = summarize(r);
      assert.equal(s.headline, "Your own keys were not in your server's answer");
      assert.equal(s.tone, 'error');
    });

    it('names every section that has problems no summary line covers', async () => {
      const s = summarize(await reportFor('secret-storage-key-without-check'));
      assert.ok(s.more.some((m) => m.section === 'secret-storage' && m.text === '1 warning about your secret storage'));
    });
  });
});
