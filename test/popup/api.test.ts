/** popup/api: the typed client the popup uses to talk to the background. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createApi, unwrapReply, targetTabId } from '../../src/popup/api.ts';
import { validateEnvelope, type Envelope } from '../../src/protocol/messages.ts';
import { setBrowserForTests } from '../../src/platform/browser.ts';

describe('popup/api', () => {
  describe('createApi()', () => {
    it('sends { type, payload } envelopes the background validator accepts', async () => {
      const sent: Envelope[] = [];
      const api = createApi(async (m) => {
        sent.push(m);
        return { ok: true, value: { phase: 'idle' } };
      });
      const r = await api.request('get-state', {});
      assert.deepEqual(r, { ok: true, value: { phase: 'idle' } });
      await api.request('audit-tab', { tabId: 7 });
      await api.request('confirm-homeserver', { tabId: 7, homeserverOrigin: 'https://matrix.example.org' });
      await api.request('get-snapshot', {});
      assert.deepEqual(sent[1], { type: 'audit-tab', payload: { tabId: 7 } });
      for (const m of sent) assert.ok(validateEnvelope(m).ok, `${m.type} must pass the background's validator`);
    });

    it('reports a failure to deliver as data, never as a thrown Error', async () => {
      const api = createApi(async () => {
        throw new Error('Could not establish connection. Receiving end does not exist.');
      });
      const r = await api.request('get-state', {});
      assert.equal(r.ok, false);
      assert.equal(!r.ok && r.error.code, 'internal');
      assert.match(!r.ok ? r.error.message : '', /Receiving end does not exist/);
    });
  });

  describe('unwrapReply()', () => {
    it('accepts { ok: true, value } and { ok: false, error: { code, message } }', () => {
      assert.deepEqual(unwrapReply({ ok: true, value: 3 }), { ok: true, value: 3 });
      assert.deepEqual(unwrapReply({ ok: false, error: { code: 'unsupported-page', message: 'no' } }), { ok: false, error: { code: 'unsupported-page', message: 'no' } });
    });
    it('rejects anything else as an internal error', () => {
      for (const bad of [undefined, null, 'x', { ok: true }, { ok: false, error: { code: 'made-up', message: 'x' } }, { ok: false, error: 'x' }]) {
        const r = unwrapReply(bad);
        assert.equal(r.ok, false);
        assert.equal(!r.ok && r.error.code, 'internal');
      }
    });
  });

  describe('targetTabId()', () => {
    it('uses ?tabId= when given, else the active tab of the current window', async () => {
      assert.equal(await targetTabId('?view=page&tabId=42'), 42);
      let asked: unknown;
      setBrowserForTests({ tabs: { query: async (q: unknown) => ((asked = q), [{ id: 9 }]) } } as unknown as Parameters<typeof setBrowserForTests>[0]);
      try {
        assert.equal(await targetTabId(''), 9);
        assert.deepEqual(asked, { active: true, currentWindow: true });
        assert.equal(await targetTabId('?tabId=-1'), 9, 'a malformed tabId is ignored');
      } finally {
        setBrowserForTests(undefined);
      }
    });
  });
});
