/**
 * popup/view: identity, sessions, people, key backup and secret storage, and where each finding is
 * shown. Reports come from running core's audit() on the committed demo and sample snapshots
 * (./reports.ts).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { identityView, anchorView } from '../../src/popup/view/identity.ts';
import { sessionsView } from '../../src/popup/view/sessions.ts';
import { peopleView } from '../../src/popup/view/people.ts';
import { backupView } from '../../src/popup/view/backup.ts';
import { secretStorageView } from '../../src/popup/view/secretStorage.ts';
import { notCheckedView } from '../../src/popup/view/notChecked.ts';
import { clientStoreView } from '../../src/popup/view/clientStore.ts';
import { placeOf, findingsIn } from '../../src/popup/view/placement.ts';
import { WHY_IT_MATTERS, findingView } from '../../src/popup/view/findings.ts';
import { FINDING_CODES, type Anchor, type Report } from '../../src/core/report/types.ts';
import { makeFinding } from '../../src/core/report/finding.ts';
import { reportFor, secretText, variant, SAMPLE_NAMES } from './reports.ts';

describe('popup/view/identity', () => {
  describe('identityView()', () => {
    it('shows the three keys of the demo in groups of four, each signature valid, resting on this session', async () => {
      const r = await reportFor('demo');
      const v = identityView(r);
      assert.equal(v.statusWord, 'Verified');
      assert.deepEqual(v.keys.map((k) => k.name), ['Master key', 'Self-signing key', 'User-signing key']);
      assert.equal(v.keys[0]!.fingerprint!.join(''), r.users[0]!.masterKey);
      assert.ok(v.keys.every((k) => k.fingerprint!.slice(0, -1).every((g) => g.length === 4)));
      assert.deepEqual(v.keys.map((k) => k.state.word), ['Confirmed', 'Signed by your master key', 'Signed by your master key']);
      assert.equal(v.anchor.anchor, 'own-device-signature');
      assert.match(v.keys[0]!.state.detail!, /this session's own signature/);
    });

    it('says, for the client-store-flag anchor, that the page could have written it', async () => {
      const r = variant(await reportFor('honest'), (d) => {
        (d as { anchor: Anchor }).anchor = 'client-store-flag';
      });
      const v = identityView(r);
      assert.equal(v.anchor.tone, 'warning');
      assert.match(v.anchor.detail, /web page could have written that flag/);
      assert.match(v.explanation, /page could have written/);
      assert.equal(v.tone, 'warning');
      assert.equal(v.keys[0]!.state.word, 'Weakly confirmed');
    });

    it('explains every anchor, and only the recovery key and private keys as strong', () => {
      const anchors: Anchor[] = ['recovery-key', 'local-private-key', 'own-device-signature', 'client-store-flag', 'none'];
      for (const a of anchors) assert.ok(anchorView(a).detail.length > 40, a);
      assert.equal(anchorView('none').tone, 'warning');
      assert.match(anchorView('none').detail, /could have made up these keys/);
    });

    it('reports each broken link from the findings (not signed, bad signature, malformed)', async () => {
      const base = await reportFor('honest');
      const own = base.subject.userId;
      const withFinding = (code: 'SELF_SIGNING_KEY_NOT_SIGNED' | 'SELF_SIGNING_KEY_BAD_SIGNATURE' | 'USER_SIGNING_KEY_BAD_SIGNATURE', identity = 'refused') =>
        variant(base, (d) => {
          (d.users[0] as { identity: string }).identity = identity;
          d.findings.push(makeFinding({ code, severity: 'error', userId: own, message: 'm', hint: 'h' }));
        });
      assert.equal(identityView(withFinding('SELF_SIGNING_KEY_NOT_SIGNED')).keys[1]!.state.word, 'Not signed by your master key');
      assert.equal(identityView(withFinding('SELF_SIGNING_KEY_BAD_SIGNATURE')).keys[1]!.state.word, 'Signature does not verify');
      const usk = identityView(withFinding('USER_SIGNING_KEY_BAD_SIGNATURE'));
      assert.equal(usk.keys[2]!.state.word, 'Signature does not verify');
      assert.equal(usk.keys[1]!.state.word, 'Signed by your master key', 'the other link is unaffected');
      assert.equal(usk.statusWord, 'Refused');
      const malformed = variant(base, (d) => d.findings.push(makeFinding({ code: 'CROSS_SIGNING_KEY_MALFORMED', severity: 'error', userId: own, message: 'm', hint: 'h', evidence: { usage: 'master' } })));
      assert.equal(identityView(malformed).keys[0]!.state.word, 'Invalid');
      assert.equal(identityView(malformed).keys[1]!.state.word, 'Not checked');
    });

    it('reports a missing own user as "Not found", without keys', async () => {
      const v = identityView(variant(await reportFor('honest'), (d) => d.users.splice(0, 1)));
      assert.equal(v.status, 'absent');
      assert.deepEqual(v.keys, []);
    });
  });
});

describe('popup/view/sessions', () => {
  describe('sessionsView()', () => {
    it('counts "of the sessions your server reported", this session first', async () => {
      const r = await reportFor('demo');
      const v = sessionsView(r);
      assert.equal(v.intro, 'Of the 4 sessions your server reported, 2 are verified.');
      assert.equal(v.word, '2 not verified');
      assert.equal(v.rows[0]!.isThis, true);
      assert.equal(v.rows[0]!.deviceId, r.subject.deviceId);
      assert.equal(v.rows[0]!.name, 'Element Web (Firefox, Linux)');
    });

    it('explains a session verified with an older key, with its finding', async () => {
      const v = sessionsView(await reportFor('demo'));
      const stale = v.rows.find((x) => x.deviceId === 'AYGENLLRHQ')!;
      assert.equal(stale.word, 'Not verified');
      assert.match(stale.detail, /older key/);
      assert.deepEqual(stale.findings.map((f) => f.code), ['DEVICE_SIGNED_BY_STALE_KEY']);
      assert.equal(stale.findings[0]!.about, 'session AYGENLLRHQ', 'our own user ID is not repeated');
    });

    it('reports all verified when they are', async () => {
      const v = sessionsView(await reportFor('honest'));
      assert.equal(v.intro, 'Of the 3 sessions your server reported, all are verified.');
      assert.equal(v.tone, 'ok');
    });

    it('makes a hostile display name safe', async () => {
      const r = variant(await reportFor('honest'), (d) => {
        (d.users[0]!.devices[1] as { displayName?: string }).displayName = 'Phone\u202Eevil\u0007';
      });
      assert.ok(sessionsView(r).rows.some((x) => x.name === 'Phone\uFFFDevil\uFFFD'));
    });
  });
});

describe('popup/view/people', () => {
  describe('peopleView()', () => {
    it('groups the demo: changed, unknown, not verified, verified', async () => {
      const v = peopleView(await reportFor('demo'));
      assert.deepEqual(v.groups.map((g) => [g.id, g.rows.length]), [['changed', 1], ['unknown', 3], ['not-verified', 2], ['verified', 2]]);
      assert.equal(v.intro, 'Your server reported 8 people you share encrypted rooms with: 2 verified, 2 not verified, 1 with a changed identity, 3 unknown.');
      assert.equal(v.word, 'Needs a look');
      const unknown = v.groups.find((g) => g.id === 'unknown')!;
      assert.ok(unknown.rows.every((p) => p.detail === 'their keys could not be fetched'));
      assert.match(unknown.meaning, /not the same as safe/);
      assert.deepEqual(v.general.map((f) => f.code), ['KEYS_QUERY_FAILURE']);
    });

    it('flags a verified person with unsigned sessions', async () => {
      const v = peopleView(await reportFor('honest'));
      const verified = v.groups.find((g) => g.id === 'verified')!;
      const flagged = verified.rows.filter((p) => p.tone === 'warning');
      assert.equal(flagged.length, 1);
      assert.match(flagged[0]!.detail, /1 of 2 sessions signed by them; the others may not be theirs/);
      assert.ok(flagged[0]!.findings.some((f) => f.code === 'VERIFIED_USER_HAS_UNSIGNED_DEVICES'));
    });

    it('shows refused keys as their own group', async () => {
      const v = peopleView(await reportFor('device-id-is-cross-signing-key'));
      assert.equal(v.groups[0]!.id, 'refused');
      assert.equal(v.tone, 'error');
    });
  });
});

describe('popup/view/backup', () => {
  describe('backupView()', () => {
    it('names each signer of the demo backup and its state', async () => {
      const v = backupView(await reportFor('demo'));
      assert.equal(v.word, 'Not trusted');
      assert.deepEqual(
        v.signers.map((s) => `${s.who}: ${s.word}`),
        ['Your master key: missing', 'Your session IGECTYEEQQ (Element Desktop (macOS)): valid, but from a key you do not trust'],
      );
      assert.deepEqual(v.facts.find((f) => f.label === 'Message keys stored'), { label: 'Message keys stored', value: '4 keys; none opened (no key to open them with)' });
      assert.equal(v.publicKey!.join(''), '4bhbu4SaJrDRn2Z+u96TGC8nttjotTwDl5uN9nIMnFw');
    });

    it('reports the wrong key once the recovery key shows the mismatch', async () => {
      const name = 'backup-key-differs-from-secret-storage';
      const v = backupView(await reportFor(name, { kind: 'recovery-key', text: secretText(name, 'recovery-key')! }));
      assert.equal(v.status, 'mismatch');
      assert.equal(v.tone, 'error');
    });
  });
});

describe('popup/view/secretStorage', () => {
  describe('secretStorageView()', () => {
    it('shows each secret "not opened" without a key, and "stored and correct" with it', async () => {
      const without = secretStorageView(await reportFor('honest'));
      assert.equal(without.word, 'Set up');
      assert.deepEqual(without.secrets.map((s) => s.label), ['Master private key', 'Self-signing private key', 'User-signing private key', 'Key backup key']);
      assert.ok(without.secrets.every((s) => s.word === 'Stored; not opened (needs your recovery key)'));
      const withKey = secretStorageView(await reportFor('honest', { kind: 'recovery-key', text: secretText('honest', 'recovery-key')! }));
      assert.ok(withKey.secrets.every((s) => s.status === 'ok' && s.word === 'Stored and correct'));
    });

    it('reports stale secrets after an identity reset', async () => {
      const name = 'own-identity-reset-stale-secret-storage';
      const v = secretStorageView(await reportFor(name, { kind: 'recovery-key', text: secretText(name, 'recovery-key')! }));
      assert.equal(v.word, 'Incomplete');
      assert.equal(v.secrets.filter((s) => s.status === 'does-not-match-public-key').length, 3);
    });

    it('notes several secret-storage keys', async () => {
      const v = secretStorageView(await reportFor('secret-storage-default-key-replaced'));
      assert.equal(v.keysNote, '2 secret-storage keys described; clients use the default one only.');
    });
  });
});

describe('popup/view/notChecked', () => {
  it('reports what was not checked in the core\'s words, and that it is not the same as fine', async () => {
    const v = notCheckedView(await reportFor('demo'));
    assert.deepEqual(v.items, ['recovery key: none was given, so secrets could not be decrypted']);
    assert.match(v.intro, /not the same as fine/);
  });
});

describe('popup/view/findings', () => {
  it('explains why every finding code matters, in a sentence', () => {
    for (const code of FINDING_CODES) {
      const why = WHY_IT_MATTERS[code];
      assert.ok(typeof why === 'string' && why.length > 30 && /[.]$/.test(why), `${code} needs a sentence`);
    }
  });

  it('shows message, why and hint made safe', () => {
    const v = findingView(makeFinding({ code: 'IDENTITY_CHANGED', severity: 'warning', userId: '@b\u202Eob:x', message: 'm\u202E', hint: 'h\u0000', evidence: {} }));
    assert.equal(v.message, 'm\uFFFD');
    assert.equal(v.hint, 'h\uFFFD');
    assert.equal(v.about, '@b\uFFFDob:x');
    assert.equal(v.why, WHY_IT_MATTERS.IDENTITY_CHANGED);
  });
});

describe('popup/view/placement', () => {
  /** Every finding, as the report screen shows it: identity, backup and secret lists; session and person rows; people in general. */
  function shown(r: Report): string[] {
    const key = (f: { code: string; message: string }) => `${f.code}|${f.message}`;
    const s = sessionsView(r);
    const p = peopleView(r);
    return [
      ...(['identity', 'backup', 'secret-storage'] as const).flatMap((place) => findingsIn(r, place).map((f) => key(findingView(f)))),
      ...s.rows.flatMap((row) => row.findings.map(key)),
      ...p.groups.flatMap((g) => g.rows.flatMap((row) => row.findings.map(key))),
      ...p.general.map(key),
    ].sort();
  }

  it('shows every finding of every sample exactly once, with and without the recovery key', async () => {
    for (const name of ['demo', ...SAMPLE_NAMES]) {
      const key = secretText(name, 'recovery-key');
      for (const r of [await reportFor(name), ...(key ? [await reportFor(name, { kind: 'recovery-key', text: key })] : [])]) {
        const expected = r.findings.map((f) => findingView(f)).map((f) => `${f.code}|${f.message}`).sort();
        assert.deepEqual(shown(r), expected, name);
      }
    }
  });

  it('places backup, secret-storage and recovery-key findings in their sections', async () => {
    const r = await reportFor('demo');
    for (const f of r.findings) {
      if (f.code.startsWith('BACKUP_')) assert.equal(placeOf(f, r), 'backup');
      if (f.code === 'KEYS_QUERY_FAILURE') assert.equal(placeOf(f, r), 'people');
      if (f.code === 'LOCAL_CROSS_SIGNING_KEYS_MISSING') assert.equal(placeOf(f, r), 'identity');
    }
  });
});

describe('popup/view/clientStore', () => {
  it('lists what the demo client holds, each line against what is published, from report.clientStore', async () => {
    const r = await reportFor('demo');
    assert.ok(r.clientStore, 'the demo snapshot has a local part');
    const v = clientStoreView(r);
    assert.ok(v);
    const rows = Object.fromEntries(v.rows.map((row) => [row.label, row.value]));
    assert.equal(rows['This session’s keys'], r.clientStore.thisSession === 'matches' ? 'Match the keys your server publishes for it' : rows['This session’s keys']);
    for (const [label, key] of [['Master key', 'master'], ['Self-signing key', 'selfSigning'], ['User-signing key', 'userSigning']] as const) {
      const m = r.clientStore.crossSigning[key];
      assert.match(rows[label]!, m === 'matches' ? /^Held; matches/ : m === 'not-cached' ? /^Not held/ : m === 'differs' ? /NOT the key you publish/ : /./, label);
    }
  });

  it('a key the client holds that is not the published one is an error; nothing held is only information', async () => {
    const r = variant(await reportFor('demo'), (d) => {
      const cs = (d as { clientStore: { crossSigning: Record<string, string>; backupKey: string } }).clientStore;
      cs.crossSigning['selfSigning'] = 'differs';
      cs.backupKey = 'not-cached';
    });
    const v = clientStoreView(r)!;
    assert.equal(v.tone, 'error');
    assert.equal(v.rows.find((row) => row.label === 'Self-signing key')!.tone, 'error');
    assert.equal(v.rows.find((row) => row.label === 'Backup key')!.tone, 'info');
  });

  it('message keys not backed up are a warning, with the counts; no client store, no section', async () => {
    const r = variant(await reportFor('demo'), (d) => {
      (d as { clientStore: { sessions: unknown } }).clientStore.sessions = { rooms: 2, total: 5, notBackedUp: 3 };
    });
    const row = clientStoreView(r)!.rows.find((x) => x.label === 'Message keys')!;
    assert.equal(row.value, '5 keys in 2 rooms; 3 not backed up');
    assert.equal(row.tone, 'warning');
    const none = variant(await reportFor('demo'), (d) => {
      delete (d as { clientStore?: unknown }).clientStore;
    });
    assert.equal(clientStoreView(none), undefined);
  });
});

describe('popup/view offline wording', () => {
  it('an offline report says the lists are what this browser’s client knows, not what the server reported', async () => {
    const r = variant(await reportFor('demo'), (d) => {
      (d as { capturedFrom?: string }).capturedFrom = 'client-store';
    });
    assert.match(sessionsView(r).intro, /^Of the \d+ sessions this browser’s client knows, /);
    assert.match(peopleView(r).intro, /^This browser’s client knows /);
    const live = await reportFor('demo');
    assert.match(sessionsView(live).intro, /your server reported/);
    assert.match(peopleView(live).intro, /^Your server reported /);
  });
});
