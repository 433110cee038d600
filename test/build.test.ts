/**
 * The extension build: per-browser manifests hardened as security.md §5 asks, bundle guards,
 * and nothing of the test build in a release build.
 */
import { describe, it, before } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const manifest = (dir: string) => JSON.parse(readFileSync(join(root, 'dist', dir, 'manifest.json'), 'utf8'));

describe('build', () => {
  before(() => {
    const r = spawnSync(process.execPath, ['build.mjs', '--test-build'], { cwd: root, encoding: 'utf8' });
    assert.equal(r.status, 0, r.stderr + r.stdout);
  });

  it('writes a hardened MV3 manifest per browser', () => {
    for (const b of ['chrome', 'firefox']) {
      const m = manifest(b);
      assert.equal(m.manifest_version, 3);
      assert.deepEqual(m.permissions.filter((p: string) => p !== 'offscreen'), ['activeTab', 'scripting', 'storage'], b);
      assert.equal(m.host_permissions, undefined, `${b}: no host permissions at all`);
      assert.equal(m.web_accessible_resources, undefined, `${b}: no web_accessible_resources`);
      assert.equal(m.content_scripts, undefined, `${b}: content script only injected on click`);
      assert.match(m.content_security_policy.extension_pages, /script-src 'self'; object-src 'none'/);
      assert.doesNotMatch(m.content_security_policy.extension_pages, /unsafe-eval|http/);
    }
    const c = manifest('chrome');
    assert.deepEqual(c.background, { service_worker: 'background.js' });
    assert.deepEqual(c.externally_connectable, { ids: [], matches: [] });
    assert.ok(c.permissions.includes('offscreen'));
    const f = manifest('firefox');
    assert.deepEqual(f.background, { scripts: ['background.js'] });
    assert.ok(f.browser_specific_settings.gecko.id);
    assert.ok(!f.permissions.includes('offscreen'));
  });

  it('keeps everything of the test build out of the release build', () => {
    for (const b of ['chrome', 'firefox']) {
      const test = manifest(`${b}-test`);
      assert.deepEqual(test.host_permissions, ['http://127.0.0.1/*', 'http://localhost/*']);
      const bg = readFileSync(join(root, 'dist', b, 'background.js'), 'utf8');
      assert.doesNotMatch(bg, /allowLoopbackHttp:\s*true/, `${b} release bundle does not allow loopback http`);
      const bgTest = readFileSync(join(root, 'dist', `${b}-test`, 'background.js'), 'utf8');
      assert.match(bgTest, /allowLoopbackHttp:\s*true/, `${b} test bundle does`);
    }
  });

  it('ships every file the manifests and pages name', () => {
    for (const b of ['chrome', 'firefox']) {
      for (const f of ['background.js', 'worker.js', 'popup.js', 'popup.html', 'popup.css', 'icons/icon-128.png', 'demo/demo-snapshot.json'])
        assert.ok(existsSync(join(root, 'dist', b, f)), `${b}/${f}`);
    }
    assert.ok(existsSync(join(root, 'dist', 'chrome', 'offscreen.html')) && existsSync(join(root, 'dist', 'chrome', 'offscreen.js')));
  });

  it('keeps curves out of the background and preact out of background and worker (bundle guards)', () => {
    for (const b of ['chrome', 'firefox']) {
      const bg = readFileSync(join(root, 'dist', b, 'background.js'), 'utf8');
      const worker = readFileSync(join(root, 'dist', b, 'worker.js'), 'utf8');
      assert.doesNotMatch(bg, /node_modules\/@noble\/curves|node_modules\/preact/);
      assert.doesNotMatch(worker, /node_modules\/preact|node_modules\/webextension-polyfill|node_modules\/dexie/);
    }
  });
});
