/**
 * The issue's acceptance command, for real: `crosscheck audit --snapshot s.json --json` (the built
 * CLI, spawned as a process) on every committed sample — honest, tampered, reset and
 * recovery-key cases — gives the statuses and finding codes the scenario expects
 * (test/fixtures/snapshots/*.expected.json, compared by the generator's compareReport).
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { compareReport } from '../fixtures/generator/expectations.ts';
import type { Expected } from '../fixtures/generator/types.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const samples = join(root, 'test', 'fixtures', 'snapshots');
const names = readdirSync(samples)
  .filter((f) => f.endsWith('.expected.json'))
  .map((f) => f.slice(0, -'.expected.json'.length));

function crosscheck(args: string[]) {
  const r = spawnSync(process.execPath, [join(root, 'bin', 'crosscheck.mjs'), ...args], { cwd: root, encoding: 'utf8' });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('crosscheck (built CLI) on the sample snapshots', () => {
  before(() => {
    const b = spawnSync(process.execPath, [join(root, 'build.mjs'), '--only', 'cli'], { cwd: root, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
  });

  it('has the honest, tampered, reset and recovery-key cases', () => {
    for (const n of ['honest', 'tampered-device-self-signature', 'own-identity-reset-stale-secret-storage', 'other-user-reset-after-verification', 'secret-storage-default-key-replaced'])
      assert.ok(names.includes(n), n);
  });

  for (const name of names) {
    it(`${name}: audit --json matches the expected report, without and with the recovery key`, () => {
      const expected = JSON.parse(readFileSync(join(samples, `${name}.expected.json`), 'utf8')) as { expected: Expected } & Expected;
      const exp = 'expected' in expected ? expected.expected : expected;
      const snap = join(samples, `${name}.json`);
      const plain = crosscheck(['audit', '--snapshot', snap, '--json']);
      assert.equal(plain.code, 0, plain.err);
      assert.deepEqual(compareReport(JSON.parse(plain.out), exp.audit), []);
      const keyFile = join(samples, `${name}.recovery-key.txt`);
      if (existsSync(keyFile)) {
        const withKey = crosscheck(['audit', '--snapshot', snap, '--json', '--recovery-key-file', keyFile]);
        assert.equal(withKey.code, 0, withKey.err);
        assert.deepEqual(compareReport(JSON.parse(withKey.out), exp.withRecoveryKey), []);
        assert.doesNotMatch(withKey.out + withKey.err, new RegExp(readFileSync(keyFile, 'utf8').trim().split(/\s+/)[3] as string), 'no part of the key is printed');
      }
    });
  }

  it('a passphrase unlocks what the recovery key does (honest-with-passphrase)', () => {
    const snap = join(samples, 'honest-with-passphrase.json');
    const r = crosscheck(['audit', '--snapshot', snap, '--json', '--passphrase-file', join(samples, 'honest-with-passphrase.passphrase.txt')]);
    assert.equal(r.code, 0, r.err);
    const report = JSON.parse(r.out);
    assert.equal(report.recoveryKey.status, 'correct');
    assert.equal(report.anchor, 'recovery-key');
  });
});
