import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { handleWorkerRequest } from '../../src/worker/handleRequest.ts';
import { buildScenario } from '../fixtures/generator/scenarios.ts';

const honest = buildScenario('honest');
const snapshotJson = JSON.stringify(honest.snapshot);

describe('worker/handleRequest', () => {
  describe('handleWorkerRequest()', () => {
    it('audits a snapshot and replies with the report, matching the request id', async () => {
      const r = await handleWorkerRequest({ kind: 'audit', id: 'a1', snapshotJson, now: '2026-12-04T15:00:00Z' }, {});
      assert.equal(r.id, 'a1');
      assert.ok(r.result.ok);
      assert.equal(r.result.value.format, 'crosscheck-report/1');
    });

    it('checks a recovery key, and wipes the key bytes whatever happens', async () => {
      const text = new TextEncoder().encode(honest.secrets.recoveryKey);
      const r = await handleWorkerRequest({ kind: 'audit', id: 'a2', snapshotJson, now: '2026-12-04T15:00:00Z', secret: { kind: 'recovery-key', text } }, {});
      assert.ok(r.result.ok);
      assert.equal(r.result.value.recoveryKey.status, 'correct');
      assert.ok(text.every((b) => b === 0), 'key bytes wiped');
      assert.ok(!JSON.stringify(r).includes(honest.secrets.recoveryKey.slice(0, 9)), 'no part of the key in the reply');

      const bad = new TextEncoder().encode(honest.secrets.recoveryKey);
      const r2 = await handleWorkerRequest({ kind: 'audit', id: 'a3', snapshotJson: '{"format":', now: '2026-12-04T15:00:00Z', secret: { kind: 'recovery-key', text: bad } }, {});
      assert.ok(!r2.result.ok);
      assert.equal(r2.result.error.code, 'bad-snapshot');
      assert.ok(bad.every((b) => b === 0), 'wiped on a failed parse too');

      const rejected = new TextEncoder().encode(honest.secrets.recoveryKey);
      const r3 = await handleWorkerRequest({ kind: 'audit', id: 'a4', snapshotJson, now: 'x', extra: 1, secret: { kind: 'recovery-key', text: rejected } }, {});
      assert.ok(!r3.result.ok && r3.result.error.code === 'bad-request');
      assert.ok(rejected.every((b) => b === 0), 'wiped on an invalid request too');
    });

    it('rejects malformed requests as data (H4)', async () => {
      for (const m of [null, 5, 'x', {}, { kind: 'audit' }, { kind: 'other', id: '1', snapshotJson: '{}', now: '' }, { kind: 'audit', id: '1', snapshotJson: 5, now: '' }]) {
        const r = await handleWorkerRequest(m, {});
        assert.ok(!r.result.ok);
        assert.equal(r.result.error.code, 'bad-request');
      }
    });
  });
});
