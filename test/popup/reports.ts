/**
 * Sample reports for the popup tests, produced in the test by running core's `audit()` on the
 * committed sample snapshots (test/fixtures/snapshots/*.json and extension/demo/demo-snapshot.json),
 * optionally with the sample's recovery key or passphrase — the same call the Worker makes.
 */
import { readFileSync, readdirSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { audit } from '../../src/core/audit.ts';
import { parseStrictJson } from '../../src/core/json/strictJson.ts';
import { webCryptoPbkdf2Sha512 } from '../../src/platform/webCryptoPbkdf2.ts';
import type { Report } from '../../src/core/report/types.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
export const SAMPLES_DIR = join(root, 'test', 'fixtures', 'snapshots');
export const DEMO_SNAPSHOT = join(root, 'extension', 'demo', 'demo-snapshot.json');
export const NOW = new Date('2026-12-04T15:00:00Z');

/** Every sample scenario name (those with an expected report). */
export const SAMPLE_NAMES: readonly string[] = readdirSync(SAMPLES_DIR)
  .filter((f) => f.endsWith('.expected.json'))
  .map((f) => f.slice(0, -'.expected.json'.length))
  .sort();

const cache = new Map<string, Report>();

function snapshotPath(name: string): string {
  return name === 'demo' ? DEMO_SNAPSHOT : join(SAMPLES_DIR, `${name}.json`);
}

/** The snapshot's JSON text, as the background hands it to the popup (`get-snapshot`). */
export function snapshotJson(name: string): string {
  return readFileSync(snapshotPath(name), 'utf8');
}

/** The text of a sample's recovery key or passphrase file. */
export function secretText(name: string, kind: 'recovery-key' | 'passphrase'): string | undefined {
  const p = join(SAMPLES_DIR, `${name}.${kind}.txt`);
  if (!existsSync(p)) return undefined;
  const t = readFileSync(p, 'utf8');
  return kind === 'passphrase' ? t.replace(/\r?\n$/, '') : t.trim();
}

/**
 * Audits a sample.
 * @param name a sample scenario name, or "demo"
 * @param secret a typed recovery key or passphrase (text), when the report should include a check
 */
export async function reportFor(name: string, secret?: { kind: 'recovery-key' | 'passphrase'; text: string }): Promise<Report> {
  const key = `${name}|${secret?.kind ?? ''}|${secret?.text ?? ''}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const parsed = parseStrictJson(snapshotJson(name));
  if (!parsed.ok) throw new Error(`${name}: snapshot does not parse`);
  const r = await audit(parsed.value, {
    now: NOW,
    pbkdf2: webCryptoPbkdf2Sha512,
    ...(secret ? { secret: { kind: secret.kind, text: new TextEncoder().encode(secret.text) } } : {}),
  });
  if (!r.ok) throw new Error(`${name}: ${r.error.message}`);
  cache.set(key, r.value);
  return r.value;
}

/** A deep copy with changes, for cases no sample has (e.g. the client-store-flag anchor). */
export function variant(r: Report, change: (draft: Report & Record<string, unknown>) => void): Report {
  const copy = structuredClone(r) as Report & Record<string, unknown>;
  change(copy);
  return copy;
}
