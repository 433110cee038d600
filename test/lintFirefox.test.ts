/**
 * `web-ext lint` (Mozilla's addons-linter) on the Firefox build reports no errors. The one
 * accepted warning is preact's own `innerHTML` branch (for dangerouslySetInnerHTML, which no
 * Crosscheck file uses: test/architecture.test.ts H6).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

describe('web-ext lint', () => {
  it('finds no errors in dist/firefox', () => {
    const b = spawnSync(process.execPath, ['build.mjs', '--only', 'firefox'], { cwd: root, encoding: 'utf8' });
    assert.equal(b.status, 0, b.stderr);
    const r = spawnSync(process.execPath, [join(root, 'node_modules', 'web-ext', 'bin', 'web-ext.js'), 'lint', '-s', 'dist/firefox', '--output', 'json', '--no-config-discovery'], { cwd: root, encoding: 'utf8' });
    const out = JSON.parse(r.stdout) as { summary: { errors: number }; errors: unknown[]; warnings: { code: string; file: string }[] };
    assert.equal(out.summary.errors, 0, JSON.stringify(out.errors));
    const unexpected = out.warnings.filter((w) => !(w.code === 'UNSAFE_VAR_ASSIGNMENT' && w.file === 'popup.js'));
    assert.deepEqual(unexpected, []);
  });
});
