/**
 * What the popup may and may not contain (DESIGN.md "Layout", security.md §5 "UI"): no HTML
 * injection anywhere in src/popup, the extension API only through src/platform/browser.ts (only
 * src/platform imports webextension-polyfill), and no curves, ciphers or dexie reachable from the popup
 * entry (build.mjs forbids them in the popup bundle; this finds it before a build).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync, existsSync } from 'node:fs';
import { join, dirname, resolve, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('../..', import.meta.url));
const src = join(root, 'src');

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? files(p) : /\.(ts|tsx)$/.test(n) ? [p] : [];
  });
}
const code = (f: string) =>
  readFileSync(f, 'utf8')
    .replace(/\/\*[\s\S]*?\*\//g, '')
    .replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
const importsOf = (f: string): string[] => [...code(f).matchAll(/(?:import|export)[^'"]*?from\s*['"]([^'"]+)['"]|import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => (m[1] ?? m[2]) as string);

describe('popup boundaries', () => {
  it('never writes HTML: no innerHTML, outerHTML, insertAdjacentHTML, document.write or dangerouslySetInnerHTML', () => {
    const hits = files(join(src, 'popup')).filter((f) => /innerHTML|outerHTML|insertAdjacentHTML|document\.write|dangerouslySetInnerHTML|\beval\s*\(|new Function/.test(code(f)));
    assert.deepEqual(hits.map((f) => relative(root, f)), []);
  });

  it('reaches the extension API only through src/platform/browser.ts', () => {
    const popup = files(join(src, 'popup'));
    assert.deepEqual(popup.filter((f) => /\b(browser|chrome)\.(runtime|tabs|storage|scripting)\b/.test(code(f))).map((f) => relative(root, f)), []);
    const importers = files(src).filter((f) => importsOf(f).some((i) => i === 'webextension-polyfill'));
    assert.deepEqual(importers.filter((f) => !f.startsWith(join(src, 'platform'))).map((f) => relative(root, f)), [], 'only src/platform imports the polyfill');
    const popupPlatform = popup.flatMap((f) => importsOf(f).filter((i) => i.includes('/platform/')));
    assert.deepEqual([...new Set(popupPlatform)], ['../platform/browser.ts'], 'the popup uses the lazy src/platform/browser.ts');
  });

  it('pulls no curves, ciphers or dexie into the popup bundle (every import reachable from main.tsx)', () => {
    const seen = new Set<string>();
    const packages = new Set<string>();
    const visit = (f: string) => {
      if (seen.has(f)) return;
      seen.add(f);
      for (const i of importsOf(f)) {
        if (!i.startsWith('.')) {
          packages.add(i);
          continue;
        }
        const target = resolve(dirname(f), i);
        if (existsSync(target)) visit(target);
      }
    };
    visit(join(src, 'popup', 'main.tsx'));
    const forbidden = [...packages].filter((p) => /^(@noble\/curves|@noble\/ciphers|dexie|bs58)/.test(p));
    assert.deepEqual(forbidden, [], `reachable from the popup: ${[...seen].map((f) => relative(root, f)).join(', ')}`);
    assert.ok(!seen.has(join(src, 'core', 'audit.ts')), 'the popup never runs the audit itself (its Worker does)');
  });
});

describe('extension/popup.html and popup.css', () => {
  const html = readFileSync(join(root, 'extension', 'popup.html'), 'utf8');
  const css = readFileSync(join(root, 'extension', 'popup.css'), 'utf8');

  it('has no inline script, inline style or event handler (strict CSP)', () => {
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    assert.deepEqual(scripts.map((m) => m[1]!.trim()), ['src="popup.js" defer']);
    assert.ok(scripts.every((m) => m[2]!.trim() === ''), 'no inline script body');
    assert.doesNotMatch(html, /<style\b|\sstyle=|\son[a-z]+=/i);
    assert.match(html, /<link rel="stylesheet" href="popup.css" \/>/);
  });

  it('loads nothing from outside the extension (no external fonts or assets)', () => {
    assert.doesNotMatch(html.replace(/<!--[\s\S]*?-->/g, ''), /(src|href)="(https?:)?\/\//i);
    assert.doesNotMatch(css, /@import|@font-face|url\(/i);
  });

  it('follows the colour scheme and shows focus', () => {
    assert.match(css, /@media \(prefers-color-scheme: dark\)/);
    assert.match(css, /:focus-visible\s*{\s*outline: 3px solid/);
  });
});
