/**
 * popup/view/exportFiles and reportText: the two export files, made from one redaction. Reports
 * come from running core's audit() on the committed demo snapshot (./reports.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { exportFiles } from '../../src/popup/view/exportFiles.ts';
import { reportText } from '../../src/popup/view/reportText.ts';
import { groupFindings, findingView } from '../../src/popup/view/findings.ts';
import { reportFor, secretText } from './reports.ts';

const SALT = new Uint8Array(32).fill(3);

describe('popup/view/exportFiles', () => {
  describe('exportFiles()', () => {
    it('makes JSON and text from the same redacted report, named by the report time', async () => {
      const r = await reportFor('demo');
      const f = exportFiles(r, { hashIds: true, salt: SALT, dropDisplayNames: true });
      assert.equal(f.jsonName, 'crosscheck-report-2026-12-04-1500.json');
      assert.equal(f.textName, 'crosscheck-report-2026-12-04-1500.txt');
      const parsed = JSON.parse(f.json);
      assert.deepEqual(parsed, JSON.parse(JSON.stringify(f.redacted)));
      assert.equal(parsed.redaction.idsHashed, true);
      assert.ok(f.text.includes(parsed.subject.userId), 'the text names the same hashed account as the JSON');
      for (const u of r.users) {
        assert.ok(!f.json.includes(u.userId) && !f.text.includes(u.userId), `${u.userId} is in neither file`);
        for (const d of u.devices) if (d.displayName) assert.ok(!f.text.includes(d.displayName), `"${d.displayName}" is not in the text`);
      }
    });

    it('keeps IDs and names when asked to', async () => {
      const r = await reportFor('demo');
      const f = exportFiles(r, { hashIds: false, dropDisplayNames: false });
      assert.ok(f.text.includes('@user0:example.org'));
      assert.ok(f.text.includes('Element Desktop (macOS)'));
      assert.doesNotMatch(f.text, /^Redacted:/m);
    });
  });
});

describe('popup/view/reportText', () => {
  describe('reportText()', () => {
    it('reports every section, every finding with why and what to do, and what was not checked', async () => {
      const r = await reportFor('demo');
      const t = reportText(r);
      for (const h of ['SUMMARY', 'YOUR IDENTITY: VERIFIED', 'YOUR SESSIONS', 'PEOPLE YOU SHARE ENCRYPTED ROOMS WITH', 'KEY BACKUP: NOT TRUSTED', 'SECRET STORAGE: SET UP', 'FINDINGS', 'NOT CHECKED'])
        assert.match(t, new RegExp(`^${h}$`, 'm'), h);
      assert.equal(t.match(/^\[(Problem|Warning|Note)\]/gm)?.length, r.findings.length, 'one entry per finding');
      assert.equal(t.match(/^ {2}What to do: /gm)?.length, r.findings.length);
      assert.match(t, /^2 of your 4 sessions are not verified\.$/m);
      assert.match(t, /^Master key: Confirmed/m);
      assert.match(t, /^ {2}\/GHx Xqu3 alya jE2S Er5g uRjM i7Pm R0Ck L8My oyNw WSU$/m, 'fingerprints in groups');
      assert.ok(t.endsWith('\n'));
    });

    it('reports the recovery-key result when there was a check', async () => {
      const t = reportText(await reportFor('honest', { kind: 'recovery-key', text: secretText('honest', 'recovery-key')! }));
      assert.match(t, /^RECOVERY KEY\nCorrect: this is your current recovery key\.\nIt unlocks all 4 secrets in your secret storage\.\nIt opens your current key backup\.$/m);
    });
  });
});

describe('popup/view/findings', () => {
  describe('groupFindings()', () => {
    it('groups same-code findings (four secrets under an old key) and keeps the others apart', async () => {
      const name = 'secret-storage-default-key-replaced';
      const r = await reportFor(name, { kind: 'recovery-key', text: secretText(name, 'recovery-key')! });
      const views = r.findings.map((f) => findingView(f, r.subject.userId));
      const groups = groupFindings(views);
      const stale = groups.find((g) => g.first.code === 'SECRET_NOT_ENCRYPTED_FOR_DEFAULT_KEY')!;
      assert.equal(stale.messages.length, 4);
      assert.equal(groups.reduce((n, g) => n + g.messages.length, 0), views.length, 'no finding is lost');
    });
  });
});
