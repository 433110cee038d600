/**
 * The command line end to end, in process (run() with captured stdio): exit codes, one-line
 * errors without stack traces, secrets from files and stdin only.
 */
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync, rmSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { run, type Io } from '../../src/cli/main.ts';
import { readRepoJson } from '../helpers/sharedVectors.ts';

interface Captured {
  code: number;
  out: string;
  err: string;
}

async function cli(argv: string[], stdin = '', env: Record<string, string> = {}): Promise<Captured> {
  let out = '';
  let err = '';
  const io: Io = {
    stdout: (s) => (out += s),
    stderr: (s) => (err += s),
    readStdin: async () => new TextEncoder().encode(stdin),
    env,
    now: () => new Date('2026-12-04T12:00:00Z'),
  };
  const code = await run(argv, io);
  return { code, out, err };
}

const tv3 = readRepoJson<{ keysQuery: unknown }>('test/vectors/tv3-verification-violation.json');

describe('cli/main', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'crosscheck-cli-'));
    writeFileSync(join(dir, 'tv3.json'), JSON.stringify({ format: 'crosscheck-snapshot/1', userId: '@alice:localhost', deviceId: 'LCNRWQAVWK', keysQuery: tv3.keysQuery }));
    writeFileSync(join(dir, 'dup.json'), '{"format":"crosscheck-snapshot/1",\n"format":"x"}');
    writeFileSync(join(dir, 'old.json'), JSON.stringify({ format: 'crosscheck-snapshot/0' }));
    writeFileSync(join(dir, 'nokq.json'), JSON.stringify({ format: 'crosscheck-snapshot/1', userId: '@a:b', deviceId: 'D' }));
    writeFileSync(join(dir, 'binary.json'), Buffer.from([0xff, 0xfe, 0x00]));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  describe('run() audit', () => {
    it('prints the report object with --json and exits 0', async () => {
      const r = await cli(['audit', '--snapshot', join(dir, 'tv3.json'), '--json']);
      assert.equal(r.code, 0, r.err);
      const report = JSON.parse(r.out);
      assert.equal(report.format, 'crosscheck-report/1');
      assert.deepEqual(report.subject, { userId: '@alice:localhost', deviceId: 'LCNRWQAVWK' });
      assert.equal(report.anchor, 'none');
      assert.equal(report.users[0].identity, 'unanchored');
      assert.ok(report.findings.some((f: { code: string }) => f.code === 'OWN_IDENTITY_UNANCHORED'));
      assert.ok(report.findings.some((f: { code: string; deviceId?: string }) => f.code === 'DEVICE_NOT_CROSS_SIGNED' && f.deviceId === 'AHIVRZICJK'));
    });

    it('prints a readable summary without --json', async () => {
      const r = await cli(['audit', '--snapshot', join(dir, 'tv3.json')]);
      assert.equal(r.code, 0);
      assert.match(r.out, /Crosscheck report for @alice:localhost/);
      assert.match(r.out, /Your identity: unanchored/);
      assert.match(r.out, /AHIVRZICJK/);
    });

    it('--fail-on warning turns findings into exit 1', async () => {
      const r = await cli(['audit', '--snapshot', join(dir, 'tv3.json'), '--fail-on', 'warning']);
      assert.equal(r.code, 1);
    });

    it('exits 2 with one line and no stack trace on malformed input', async () => {
      const cases: [string, RegExp][] = [
        ['dup.json', /duplicate key "format" at line 2, column 1/],
        ['old.json', /unsupported snapshot format "crosscheck-snapshot\/0"/],
        ['nokq.json', /no "keysQuery" object/],
        ['binary.json', /not valid UTF-8/],
        ['missing.json', /no such file/],
      ];
      for (const [file, re] of cases) {
        const r = await cli(['audit', '--snapshot', join(dir, file)]);
        assert.equal(r.code, 2, file);
        assert.match(r.err, re);
        assert.equal(r.err.trim().split('\n').length, 1, `${file}: exactly one line`);
        assert.doesNotMatch(r.err, /^\s+at .+:\d+:\d+\)?$|node:internal|\.ts:\d+/m, "no stack trace");
        assert.equal(r.out, '');
      }
    });

    it('exits 2 with one line naming the file for a bad client-store file', async () => {
      const write = (name: string, v: unknown) => writeFileSync(join(dir, name), JSON.stringify(v));
      write('cs-format.json', { format: 'other' });
      write('cs-user.json', { format: 'crosscheck-client-store/1', userId: 'alice', deviceId: 'D', rust: { unavailable: 'x' }, sync: { unavailable: 'y' } });
      write('cs-part.json', { format: 'crosscheck-client-store/1', userId: '@a:hs', deviceId: 'D', rust: 5, sync: { unavailable: 'y' } });
      write('cs-norust.json', { format: 'crosscheck-client-store/1', userId: '@a:hs', deviceId: 'D', rust: { unavailable: 'no rust crypto store on the page' }, sync: { unavailable: 'y' } });
      const cases: [string, RegExp][] = [
        ['cs-format.json', /cs-format\.json: unsupported client-store format "other"/],
        ['cs-user.json', /cs-user\.json: "userId" must be a Matrix user ID/],
        ['cs-part.json', /cs-part\.json: "rust" must be an object/],
        ['cs-norust.json', /cs-norust\.json: an offline audit needs the client's crypto store, and it could not be used: no rust crypto store on the page/],
        ['cs-missing.json', /cs-missing\.json: no such file/],
      ];
      for (const [file, re] of cases) {
        const r = await cli(['audit', '--client-store', join(dir, file)]);
        assert.equal(r.code, 2, file);
        assert.match(r.err, re);
        assert.equal(r.err.trim().split('\n').length, 1, `${file}: exactly one line`);
        assert.equal(r.out, '');
      }
      // With a snapshot of another session, the store is refused rather than mixed in.
      const other = await cli(['audit', '--snapshot', join(dir, 'tv3.json'), '--client-store', join(dir, 'cs-norust.json')]);
      assert.equal(other.code, 2);
      assert.match(other.err, /the client store is @a:hs D, but the snapshot is /);
    });

    it('exits 2 for an unreadable recovery-key file', async () => {
      const r = await cli(['audit', '--snapshot', join(dir, 'tv3.json'), '--recovery-key-file', join(dir, 'nope.txt')]);
      assert.equal(r.code, 2);
      assert.match(r.err, /nope\.txt: no such file/);
    });
  });

  describe('run() recovery-key check', () => {
    it('accepts a well-formed key from stdin, with any whitespace (TV-5)', async () => {
      const r = await cli(['recovery-key', 'check'], 'EsTc LW2K PGiF wKEA 3As5 g5c4 BXwk qeeJ ZJV8 Q9fu gUMN UE4d\n');
      assert.equal(r.code, 0, r.err);
      assert.match(r.out, /well formed/);
    });

    it('names the problem of a malformed key and never echoes it', async () => {
      const r = await cli(['recovery-key', 'check'], 'EsTc LW2K PGiF wKEA 3As5 g5c4 BXwk qeeJ ZJV8 Q9fu gUMN UE4e');
      assert.equal(r.code, 2);
      assert.match(r.err, /check digit|parity/);
      assert.doesNotMatch(r.err, /EsTc|UE4e/);
      const bad = await cli(['recovery-key', 'check'], 'EsTc LW2K PGiF wKEA 3As5 g5c4 BXwk qeeJ ZJV8 Q9fu gUMN UE40');
      assert.equal(bad.code, 2);
      assert.match(bad.err, /character 59 \("0"\)/);
    });
  });

  describe('run() capture', () => {
    it('needs the token in CROSSCHECK_ACCESS_TOKEN', async () => {
      const r = await cli(['capture', '--homeserver', 'https://matrix.example.org']);
      assert.equal(r.code, 2);
      assert.match(r.err, /CROSSCHECK_ACCESS_TOKEN/);
    });
  });
});

describe('cli/main --pins', () => {
  it('pins master keys on first sight, reports a later change as changed until the row is accepted', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crosscheck-pins-'));
    try {
      const strip = (name: string) => {
        const s = readRepoJson<Record<string, unknown>>(`test/fixtures/snapshots/${name}.json`);
        delete s['local'];
        delete s['pins'];
        const path = join(dir, `${name}.json`);
        writeFileSync(path, JSON.stringify(s));
        return path;
      };
      const before = strip('honest');
      const after = strip('other-user-reset-after-verification');
      const pins = join(dir, 'pins.json');
      const first = await cli(['audit', '--snapshot', before, '--json', '--pins', pins]);
      assert.equal(first.code, 0, first.err);
      assert.ok(!JSON.parse(first.out).findings.some((f: { code: string }) => f.code === 'IDENTITY_CHANGED'));
      const second = await cli(['audit', '--snapshot', after, '--json', '--pins', pins]);
      assert.equal(second.code, 0, second.err);
      const changed = JSON.parse(second.out).findings.find((f: { code: string }) => f.code === 'IDENTITY_CHANGED');
      assert.ok(changed, 'the reset is caught by the pin');
      const file = JSON.parse(readFileSync(pins, 'utf8')) as { pins: { userId: string; accepted: boolean }[] };
      const rows = file.pins.filter((p) => p.userId === changed.userId);
      assert.deepEqual(rows.map((r) => r.accepted).sort(), [false, true], 'old key pinned, new key recorded unaccepted');
      // What a user does after checking the new identity out of band: accept its row.
      const fresh = rows.find((r) => !r.accepted) as { accepted: boolean; acceptedAt?: string };
      fresh.accepted = true;
      fresh.acceptedAt = '2026-12-05T00:00:00Z';
      writeFileSync(pins, JSON.stringify(file));
      const third = await cli(['audit', '--snapshot', after, '--json', '--pins', pins]);
      assert.ok(!JSON.parse(third.out).findings.some((f: { code: string; userId?: string }) => f.code === 'IDENTITY_CHANGED' && f.userId === changed.userId), 'accepted: no longer changed');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a pins file that is not ours, with exit 2 and one line', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'crosscheck-pins-'));
    try {
      writeFileSync(join(dir, 'p.json'), '{"something":"else"}');
      writeFileSync(join(dir, 's.json'), JSON.stringify({ format: 'crosscheck-snapshot/1', userId: '@alice:localhost', deviceId: 'LCNRWQAVWK', keysQuery: tv3.keysQuery }));
      const r = await cli(['audit', '--snapshot', join(dir, 's.json'), '--pins', join(dir, 'p.json')]);
      assert.equal(r.code, 2);
      assert.match(r.err, /not a Crosscheck pins file/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
