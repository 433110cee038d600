/**
 * Architecture rules (DESIGN.md "Layout", STYLE §26), checked by scanning source text:
 * - src/core is pure: no browser or platform API, no fetch, no storage, no clock, no node: imports;
 * - imports flow one way: core ← protocol ← {sources, store, platform} ← entry points;
 * - one module owns Ed25519 verification;
 * - every check file is registered.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative, dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const src = join(root, 'src');

function files(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...files(p));
    else if (/\.(ts|tsx)$/.test(name)) out.push(p);
  }
  return out;
}

/** Code without comments, so a comment that names `fetch(` is not a violation. */
const code = (f: string) =>
  readFileSync(f, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');

const importsOf = (f: string): string[] => [...code(f).matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2]) as string);

const layer = (f: string): string => relative(src, f).split('/')[0] as string;

describe('architecture', () => {
  const all = files(src);
  const core = all.filter((f) => layer(f) === 'core');

  it('keeps src/core pure: no browser, platform, network, storage or clock API', () => {
    const forbidden: [RegExp, string][] = [
      [/\bbrowser\./, 'browser.*'],
      [/\bchrome\./, 'chrome.*'],
      [/\bindexedDB\b/, 'indexedDB'],
      [/\bfetch\s*\(/, 'fetch('],
      [/\blocalStorage\b|\bsessionStorage\b/, 'web storage'],
      [/\bDate\.now\s*\(|\bnew Date\s*\(\s*\)/, 'the clock'],
      [/\bdocument\.|\bwindow\./, 'the DOM'],
      [/\bcrypto\.subtle\b|globalThis\.crypto/, 'WebCrypto (inject it instead)'],
      [/\bprocess\.|\brequire\s*\(/, 'Node globals'],
      [/\bconsole\.(log|debug|info|warn|error)\b/, 'logging'],
    ];
    const violations: string[] = [];
    for (const f of core) {
      const c = code(f);
      for (const [re, what] of forbidden) if (re.test(c)) violations.push(`${relative(root, f)} uses ${what}`);
      for (const i of importsOf(f)) {
        if (/^(node:|webextension-polyfill|dexie|preact)/.test(i)) violations.push(`${relative(root, f)} imports ${i}`);
        if (i.startsWith('.')) {
          const target = resolve(dirname(f), i);
          if (!target.startsWith(join(src, 'core'))) violations.push(`${relative(root, f)} imports outside core: ${i}`);
        }
      }
    }
    assert.deepEqual(violations, []);
  });

  it('lets imports flow one way (core ← protocol ← sources/store/platform ← entry points)', () => {
    const rank: Record<string, number> = { core: 0, protocol: 1, sources: 2, store: 2, platform: 2, worker: 3, background: 3, content: 3, popup: 3, cli: 3 };
    const violations: string[] = [];
    for (const f of all) {
      const from = layer(f);
      for (const i of importsOf(f)) {
        if (!i.startsWith('.')) continue;
        const target = resolve(dirname(f), i);
        if (!target.startsWith(src)) continue;
        const to = layer(target);
        if (to === from) continue;
        // The background injects the session reader with scripting.executeScript({ func }): it
        // imports that one self-contained function (the only content → background link).
        if (from === 'background' && relative(src, target) === 'content/readElementSession.ts') continue;
        if ((rank[to] ?? 9) >= (rank[from] ?? 9)) violations.push(`${relative(root, f)} (${from}) imports ${to}`);
      }
    }
    assert.deepEqual(violations, []);
  });

  it('keeps every Ed25519 verification in src/core/crypto/ed25519Policy.ts', () => {
    const owners = all.filter((f) => /ed25519\.verify\s*\(|\.verify\(\s*['"]Ed25519|multiplyUnsafe/.test(code(f))).map((f) => relative(root, f));
    assert.deepEqual(owners, ['src/core/crypto/ed25519Policy.ts']);
  });

  it('registers every check file in src/core/checks/registry.ts', () => {
    const dir = join(src, 'core', 'checks');
    const registry = readFileSync(join(dir, 'registry.ts'), 'utf8');
    const checks = readdirSync(dir).filter((n) => n.endsWith('.ts') && !['registry.ts', 'check.ts'].includes(n));
    assert.ok(checks.length >= 8);
    for (const n of checks) assert.ok(registry.includes(`'./${n}'`), `${n} is not registered`);
  });

  it('H6: renders server data as text only: no innerHTML or dangerouslySetInnerHTML anywhere in src', () => {
    const hits = all.filter((f) => /dangerouslySetInnerHTML|\.innerHTML\s*=|insertAdjacentHTML|document\.write/.test(code(f))).map((f) => relative(root, f));
    assert.deepEqual(hits, []);
  });

  it('H7: never builds a URL with an access token in it', () => {
    const hits = all.filter((f) => /access_token=/.test(code(f))).map((f) => relative(root, f));
    assert.deepEqual(hits, []);
  });
});
