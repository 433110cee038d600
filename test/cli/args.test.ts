import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { parseArgs } from '../../src/cli/args.ts';

describe('cli/args', () => {
  describe('parseArgs()', () => {
    it('parses an audit of a snapshot with a recovery-key file', () => {
      const r = parseArgs(['audit', '--snapshot', 's.json', '--recovery-key-file', 'k.txt', '--json']);
      assert.ok(r.ok);
      assert.deepEqual(r.value, {
        kind: 'audit',
        source: { snapshot: 's.json' },
        secretFile: { kind: 'recovery-key', path: 'k.txt' },
        json: true,
        verbose: false,
        backupSessions: true,
      });
    });

    it('--client-store: with a source it adds the client view; alone it is the offline audit; the pickle key only from a file', () => {
      const live = parseArgs(['audit', '--homeserver', 'https://hs.example', '--client-store', 'd.json', '--pickle-key-file', 'k']);
      assert.ok(live.ok && live.value.kind === 'audit');
      assert.deepEqual(live.value.source, { homeserver: 'https://hs.example' });
      assert.deepEqual(live.value.clientStore, { path: 'd.json', pickleKeyFile: 'k' });
      const offline = parseArgs(['audit', '--client-store', 'd.json']);
      assert.ok(offline.ok && offline.value.kind === 'audit');
      assert.deepEqual(offline.value.source, { offline: true });
      const capture = parseArgs(['capture', '--client-store', 'd.json', '--pickle-key-file', 'k']);
      assert.ok(capture.ok && capture.value.kind === 'capture' && capture.value.homeserver === undefined);
      const noStore = parseArgs(['audit', '--snapshot', 's.json', '--pickle-key-file', 'k']);
      assert.ok(!noStore.ok && /goes with --client-store/.test(noStore.error));
      const inline = parseArgs(['audit', '--client-store', 'd.json', '--pickle-key', 'abc']);
      assert.ok(!inline.ok && /--pickle-key-file/.test(inline.error));
      const nothing = parseArgs(['audit']);
      assert.ok(!nothing.ok && /--client-store FILE/.test(nothing.error));
      const both = parseArgs(['audit', '--snapshot', 's.json', '--homeserver', 'https://hs.example']);
      assert.ok(!both.ok && /not both/.test(both.error));
    });

    it('accepts --flag=value', () => {
      const r = parseArgs(['audit', '--snapshot=s.json', '--fail-on=warning']);
      assert.ok(r.ok && r.value.kind === 'audit' && r.value.failOn === 'warning');
    });

    it('refuses secrets on the command line and says where they go instead', () => {
      for (const flag of ['--recovery-key', '--passphrase', '--token', '--access-token']) {
        const r = parseArgs(['audit', '--snapshot', 's.json', flag, 'EsTc']);
        assert.ok(!r.ok);
        assert.match(r.error, /never taken from the command line/);
      }
    });

    it('needs exactly one source, and not both secret kinds', () => {
      assert.ok(!parseArgs(['audit']).ok);
      assert.ok(!parseArgs(['audit', '--snapshot', 'a', '--homeserver', 'https://x']).ok);
      assert.ok(!parseArgs(['audit', '--snapshot', 'a', '--recovery-key-file', 'k', '--passphrase-file', 'p']).ok);
    });

    it('rejects unknown commands and options with a clear message', () => {
      const a = parseArgs(['frobnicate']);
      assert.ok(!a.ok && /unknown command/.test(a.error));
      const b = parseArgs(['audit', '--snapshot', 's', '--colour']);
      assert.ok(!b.ok && /unknown option/.test(b.error));
      const c = parseArgs(['audit', '--snapshot', 's', '--fail-on', 'info']);
      assert.ok(!c.ok);
    });

    it('parses recovery-key check and capture', () => {
      assert.deepEqual(parseArgs(['recovery-key', 'check']), { ok: true, value: { kind: 'recovery-key-check' } });
      assert.deepEqual(parseArgs(['capture', '--homeserver', 'https://hs']), { ok: true, value: { kind: 'capture', homeserver: 'https://hs', backupSessions: true } });
      assert.ok(!parseArgs(['capture', '--homeserver', 'https://hs', '--json']).ok);
    });
  });
});
