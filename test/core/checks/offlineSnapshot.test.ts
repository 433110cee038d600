/**
 * An offline snapshot (`capturedFrom: "client-store"`, sources/clientStorage/offlineSnapshot.ts)
 * through the whole audit, on the honest sample: the report says it is offline and lists what the
 * capture may have missed under "not checked"; someone in an encrypted room whose keys the client
 * store does not hold is unknown, said in the store's terms, not the server's; and a snapshot whose
 * `capturedFrom` or `coverageGaps` is malformed is refused with a line saying where.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { audit } from '../../../src/core/audit.ts';
import { parseStrictJson, type JsonValue } from '../../../src/core/json/strictJson.ts';
import type { Report } from '../../../src/core/report/types.ts';

const NOW = new Date('2026-12-04T15:00:00Z');
const honest = JSON.parse(readFileSync(fileURLToPath(new URL('../../fixtures/snapshots/honest.json', import.meta.url)), 'utf8')) as Record<string, unknown>;

async function run(snapshot: unknown) {
  const parsed = parseStrictJson(JSON.stringify(snapshot));
  assert.ok(parsed.ok);
  return audit(parsed.value as JsonValue, { now: NOW });
}

describe('core: an offline snapshot (from the client store)', () => {
  const STRANGER = '@stranger:example.org';
  const offline = () => ({
    ...honest,
    capturedFrom: 'client-store',
    coverageGaps: ['people in encrypted rooms: 1 encrypted room whose member list the client never loaded (lazy loading): people who have not spoken there recently are missing'],
    queriedUsers: [honest['userId'] as string, STRANGER],
  });

  it('is labelled offline, with what it could not know under "not checked"', async () => {
    const r = await run(offline());
    assert.ok(r.ok, r.ok ? '' : r.error.message);
    const report: Report = r.value;
    assert.equal(report.capturedFrom, 'client-store');
    assert.equal(report.notChecked[0], "whether the homeserver still serves these keys: this audit used the keys this browser's client store last saw, without asking the server");
    assert.ok(report.notChecked.some((n) => n.includes('never loaded (lazy loading)')));
    const live = await run(honest);
    assert.ok(live.ok);
    assert.equal(live.value.capturedFrom, undefined);
    assert.ok(!live.value.notChecked.some((n) => n.startsWith('whether the homeserver')));
  });

  it('someone the store holds no keys for is unknown, and the finding says so in the store’s terms', async () => {
    const r = await run(offline());
    assert.ok(r.ok);
    assert.equal(r.value.users.find((u) => u.userId === STRANGER)?.identity, 'unknown');
    const f = r.value.findings.find((x) => x.code === 'KEYS_QUERY_FAILURE' && x.userId === STRANGER);
    assert.ok(f);
    assert.match(f.message, /^This browser's client store holds no keys for @stranger:example\.org/);
    const live = await run({ ...honest, queriedUsers: [honest['userId'] as string, STRANGER] });
    assert.ok(live.ok);
    assert.match(live.value.findings.find((x) => x.code === 'KEYS_QUERY_FAILURE' && x.userId === STRANGER)?.message ?? '', /^The server returned no device list/);
  });

  it('refuses a malformed capturedFrom or coverageGaps, saying where', async () => {
    for (const [patch, where] of [
      [{ capturedFrom: 'the moon' }, /"capturedFrom" must be "homeserver" or "client-store"/],
      [{ coverageGaps: 'one string' }, /"coverageGaps" must be a list of short sentences/],
      [{ coverageGaps: [7] }, /"coverageGaps"/],
    ] as const) {
      const r = await run({ ...honest, ...patch });
      assert.ok(!r.ok);
      assert.match(r.error.message, where);
    }
  });
});
