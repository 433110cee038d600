/** The client store's own pin (local.identities[u].pinnedMasterKey, issue 5) turns a later master-key change into `changed`. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { buildScenario } from '../../fixtures/generator/scenarios.ts';
import { parseStrictJson } from '../../../src/core/json/strictJson.ts';
import { audit } from '../../../src/core/audit.ts';

describe('trust/buildTrustModel', () => {
  it('reports changed when the client store pinned another master key (rust-sdk pin), even without our own pins', async () => {
    const reset = buildScenario('other-user-reset-after-verification');
    const honest = buildScenario('honest');
    const target = reset.target.userId as string;
    const snap = JSON.parse(JSON.stringify(reset.snapshot)) as { pins?: unknown; local: { identities: Record<string, unknown> } };
    delete snap.pins;
    const oldKey = honest.snapshot.local.identities[target]?.masterKey as string;
    const newKey = reset.snapshot.keysQuery.master_keys[target] ? Object.values(reset.snapshot.keysQuery.master_keys[target]!.keys)[0] : undefined;
    // The store followed the new key (masterKey) but still pins the old one, as rust-sdk does.
    snap.local.identities[target] = { masterKey: newKey, pinnedMasterKey: oldKey, previouslyVerified: true };
    const parsed = parseStrictJson(JSON.stringify(snap));
    assert.ok(parsed.ok);
    const r = await audit(parsed.value, { now: new Date('2026-12-04T15:00:00Z') });
    assert.ok(r.ok);
    assert.equal(r.value.users.find((u) => u.userId === target)?.identity, 'changed');
    assert.ok(r.value.findings.some((f) => f.code === 'IDENTITY_CHANGED' && f.userId === target));
  });
});
