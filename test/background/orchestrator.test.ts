/**
 * The background orchestration with injected fakes for the browser parts and the real core audit
 * (run in-process instead of a Worker). Asserts the flow of issue 4 item 3 and the token rules.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ok, err } from '../../src/core/result.ts';
import { parseStrictJson, type JsonObject } from '../../src/core/json/strictJson.ts';
import { audit } from '../../src/core/audit.ts';
import { createOrchestrator, type BackgroundDeps } from '../../src/background/orchestrator.ts';
import type { AuditState, MessageError } from '../../src/protocol/messages.ts';
import type { ClientSession } from '../../src/protocol/session.ts';
import { pinsForSnapshot, recordSeen, accept, type PinRow } from '../../src/store/pinLogic.ts';
import type { PinStore } from '../../src/store/pinStore.ts';
import { buildScenario } from '../fixtures/generator/scenarios.ts';
import { badgeText } from '../../src/background/badge.ts';

const TOKEN = 'syt_secret_token_value_0123456789';

function memoryPins(): PinStore & { rows: PinRow[] } {
  const store = {
    rows: [] as PinRow[],
    async pinsFor(ids: readonly string[]) {
      return pinsForSnapshot(store.rows.filter((r) => ids.includes(r.userId)));
    },
    async record(seen: ReadonlyMap<string, string>, at: string) {
      for (const r of recordSeen(store.rows, seen, at)) {
        store.rows = store.rows.filter((x) => !(x.userId === r.userId && x.masterKey === r.masterKey));
        store.rows.push(r);
      }
    },
    async history(userId?: string) {
      return store.rows.filter((r) => !userId || r.userId === userId);
    },
    async acceptKey(userId: string, masterKey: string, at: string) {
      const i = store.rows.findIndex((r) => r.userId === userId && r.masterKey === masterKey);
      if (i < 0) return false;
      store.rows[i] = accept(store.rows[i] as PinRow, at);
      return true;
    },
  };
  return store;
}

function setup(over: Partial<BackgroundDeps> & { session?: ClientSession; snapshot?: JsonObject } = {}) {
  const scenario = buildScenario('honest');
  const snapshot = over.snapshot ?? (JSON.parse(JSON.stringify(scenario.snapshot)) as JsonObject);
  const session: ClientSession = over.session ?? {
    client: 'element-web',
    homeserverUrl: 'https://matrix.example.org',
    userId: scenario.snapshot.userId,
    deviceId: scenario.snapshot.deviceId,
    accessToken: TOKEN,
  };
  const states: AuditState[] = [];
  let snapshotJson: string | undefined;
  const approvals: { origin: string; userId: string }[] = [];
  const captures: ClientSession[] = [];
  const badges: (string | undefined)[] = [];
  const clientStores: unknown[] = [];
  const pins = memoryPins();
  const deps: BackgroundDeps = {
    readSession: async () => ok(session),
    capture: async (s) => {
      captures.push(s);
      return ok(snapshot);
    },
    readClientStore: async () => ({ unavailable: 'there is no client crypto store on this page' }),
    readSyncStore: async () => ({ unavailable: 'there is no sync store on this page' }),
    runOfflineAudit: async () => err<MessageError>({ code: 'audit-failed', message: 'not expected in this test' }),
    runAudit: async (json, now, clientStore) => {
      clientStores.push(clientStore);
      const parsed = parseStrictJson(json);
      assert.ok(parsed.ok);
      const r = await audit(parsed.value, { now: new Date(now) });
      return r.ok ? ok({ report: r.value }) : err<MessageError>({ code: 'audit-failed', message: r.error.message });
    },
    demoSnapshotJson: async () => JSON.stringify(buildScenario('own-device-not-cross-signed').snapshot),
    approvals: {
      has: async (o, u) => approvals.some((a) => a.origin === o && a.userId === u),
      add: async (o, u) => void approvals.push({ origin: o, userId: u }),
    },
    pins,
    state: {
      get: async () => states[states.length - 1] ?? { phase: 'idle' },
      set: async (s) => void states.push(s),
      snapshot: async () => snapshotJson,
      setSnapshot: async (j) => void (snapshotJson = j),
    },
    badge: async (r) => void badges.push(badgeText(r).text),
    now: () => new Date('2026-12-04T15:00:00Z'),
    allowLoopbackHttp: false,
    ...over,
  };
  return { o: createOrchestrator(deps), states, approvals, captures, badges, pins, clientStores, getSnapshot: () => snapshotJson };
}

describe('background/orchestrator', () => {
  it('asks the user to confirm a new homeserver origin and sends nothing before that', async () => {
    const t = setup();
    const r = await t.o.handle({ type: 'audit-tab', payload: { tabId: 7 } });
    assert.ok(r.ok);
    assert.deepEqual(r.value, { phase: 'needs-confirmation', tabId: 7, homeserverOrigin: 'https://matrix.example.org', userId: '@user0:example.org' });
    assert.equal(t.captures.length, 0, 'no request to the homeserver before confirmation');
  });

  it('after confirmation captures, audits, keeps the report and sets the badge', async () => {
    const t = setup();
    await t.o.handle({ type: 'audit-tab', payload: { tabId: 7 } });
    const r = await t.o.handle({ type: 'confirm-homeserver', payload: { tabId: 7, homeserverOrigin: 'https://matrix.example.org' } });
    assert.ok(r.ok);
    const s = r.value as AuditState;
    assert.equal(s.phase, 'done');
    assert.ok(s.phase === 'done' && s.report.users.length > 0 && s.source === 'tab');
    assert.equal(t.captures.length, 1);
    assert.deepEqual(t.approvals, [{ origin: 'https://matrix.example.org', userId: '@user0:example.org' }]);
    assert.equal(t.badges.length, 1);
    // The next click goes straight through.
    const again = await t.o.handle({ type: 'audit-tab', payload: { tabId: 7 } });
    assert.ok(again.ok && (again.value as AuditState).phase === 'done');
  });

  it('reads the client store after the capture and hands it to the audit (never for the demo)', async () => {
    const t = setup();
    await t.o.handle({ type: 'confirm-homeserver', payload: { tabId: 7, homeserverOrigin: 'https://matrix.example.org' } });
    assert.deepEqual(t.clientStores, [{ unavailable: 'there is no client crypto store on this page' }]);
    await t.o.handle({ type: 'load-demo', payload: {} });
    assert.equal(t.clientStores[1], undefined);
  });

  it('refuses when the homeserver changed between the prompt and the confirmation (H1)', async () => {
    const t = setup();
    const r = await t.o.handle({ type: 'confirm-homeserver', payload: { tabId: 7, homeserverOrigin: 'https://other.example.org' } });
    assert.ok(r.ok);
    assert.equal((r.value as AuditState).phase, 'error');
    assert.equal(t.captures.length, 0);
  });

  it('refuses a plain-http homeserver in a release build, even on loopback (H1)', async () => {
    for (const url of ['http://matrix.example.org', 'http://127.0.0.1:8008']) {
      const t = setup({ session: { client: 'element-web', homeserverUrl: url, userId: '@user0:example.org', deviceId: 'D', accessToken: TOKEN } });
      const r = await t.o.handle({ type: 'confirm-homeserver', payload: { tabId: 1, homeserverOrigin: new URL(url).origin } });
      assert.ok(r.ok);
      assert.equal((r.value as AuditState).phase, 'error', url);
      assert.equal(t.captures.length, 0);
    }
    const honest = buildScenario('honest').snapshot;
    const test = setup({ allowLoopbackHttp: true, session: { client: 'element-web', homeserverUrl: 'http://127.0.0.1:8008', userId: honest.userId, deviceId: honest.deviceId, accessToken: TOKEN } });
    const r = await test.o.handle({ type: 'confirm-homeserver', payload: { tabId: 1, homeserverOrigin: 'http://127.0.0.1:8008' } });
    assert.ok(r.ok && (r.value as AuditState).phase === 'done', 'test builds may use loopback http');
  });

  it('never puts the access token into any state, snapshot or reply', async () => {
    const t = setup();
    const replies = [
      await t.o.handle({ type: 'audit-tab', payload: { tabId: 7 } }),
      await t.o.handle({ type: 'confirm-homeserver', payload: { tabId: 7, homeserverOrigin: 'https://matrix.example.org' } }),
      await t.o.handle({ type: 'get-state', payload: {} }),
      await t.o.handle({ type: 'get-snapshot', payload: {} }),
    ];
    const everything = JSON.stringify({ replies, states: t.states, snapshot: t.getSnapshot(), pins: t.pins.rows });
    assert.ok(!everything.includes(TOKEN), 'the token appears nowhere');
  });

  it('refuses when the token belongs to another device than the page shows (whoami mismatch)', async () => {
    const honest = buildScenario('honest').snapshot;
    const t = setup({ session: { client: 'element-web', homeserverUrl: 'https://matrix.example.org', userId: honest.userId, deviceId: 'SOMEOTHER', accessToken: TOKEN } });
    const r = await t.o.handle({ type: 'confirm-homeserver', payload: { tabId: 1, homeserverOrigin: 'https://matrix.example.org' } });
    assert.ok(r.ok);
    const s = r.value as AuditState;
    assert.ok(s.phase === 'error' && /different device/.test(s.error.message));
  });

  it('turns a failed session read into an error state with the reader\'s message', async () => {
    const t = setup({ readSession: async () => err<MessageError>({ code: 'unsupported-page', message: 'This page is not a supported signed-in Matrix client.' }) });
    const r = await t.o.handle({ type: 'audit-tab', payload: { tabId: 3 } });
    assert.ok(r.ok);
    assert.deepEqual(r.value, { phase: 'error', error: { code: 'unsupported-page', message: 'This page is not a supported signed-in Matrix client.' } });
  });

  it('pins master keys on first sight and reports a later change as changed until accepted', async () => {
    const honest = buildScenario('honest');
    const reset = buildScenario('other-user-reset-after-verification');
    const t = setup();
    await t.o.handle({ type: 'confirm-homeserver', payload: { tabId: 1, homeserverOrigin: 'https://matrix.example.org' } });
    const target = reset.target.userId as string;
    // The same account, later: the contact reset their identity; this time without the client store's memory.
    const later = JSON.parse(JSON.stringify(reset.snapshot)) as JsonObject & { local?: unknown; pins?: unknown };
    delete later.local;
    delete later.pins;
    const t2 = setup({ snapshot: later, pins: t.pins });
    await t2.approvals.push({ origin: 'https://matrix.example.org', userId: honest.snapshot.userId });
    const r = await t2.o.handle({ type: 'audit-tab', payload: { tabId: 1 } });
    assert.ok(r.ok);
    const s = r.value as AuditState;
    assert.ok(s.phase === 'done');
    assert.equal(s.report.users.find((u) => u.userId === target)?.identity, 'changed', 'our own pin catches the change');
    const history = await t2.o.handle({ type: 'get-pins', payload: { userId: target } });
    assert.ok(history.ok);
    const rows = (history.value as { pins: { masterKey: string; accepted: boolean }[] }).pins;
    assert.equal(rows.length, 2);
    const fresh = rows.find((p) => !p.accepted);
    assert.ok(fresh);
    const acc = await t2.o.handle({ type: 'accept-identity', payload: { userId: target, masterKey: fresh.masterKey } });
    assert.deepEqual(acc, { ok: true, value: { accepted: true } });
    const after = await t2.o.handle({ type: 'audit-tab', payload: { tabId: 1 } });
    assert.ok(after.ok && (after.value as AuditState).phase === 'done');
    const s2 = after.value as Extract<AuditState, { phase: 'done' }>;
    assert.notEqual(s2.report.users.find((u) => u.userId === target)?.identity, 'changed', 'accepted: no longer changed');
  });

  it('audits the embedded demo', async () => {
    const t = setup();
    const r = await t.o.handle({ type: 'load-demo', payload: {} });
    assert.ok(r.ok && (r.value as AuditState).phase === 'done');
  });

  it('keeps the snapshot as the Worker audited it (with the client store’s view) for the recovery-key check', async () => {
    const t = setup({
      runAudit: async (json, now) => {
        const parsed = parseStrictJson(json);
        assert.ok(parsed.ok);
        const r = await audit(parsed.value, { now: new Date(now) });
        assert.ok(r.ok);
        return ok({ report: r.value, snapshotJson: '{"from":"the worker"}' });
      },
    });
    await t.o.handle({ type: 'audit-tab', payload: { tabId: 7 } });
    await t.o.handle({ type: 'confirm-homeserver', payload: { tabId: 7, homeserverOrigin: 'https://matrix.example.org' } });
    assert.equal(t.getSnapshot(), '{"from":"the worker"}');
  });

  describe('offline: the homeserver cannot be reached', () => {
    const unreachable = { code: 'capture-failed' as const, message: 'The homeserver at https://matrix.example.org could not be reached (connection refused).', unreachable: true };
    async function confirmed(t: ReturnType<typeof setup>) {
      await t.o.handle({ type: 'audit-tab', payload: { tabId: 7 } });
      return t.o.handle({ type: 'confirm-homeserver', payload: { tabId: 7, homeserverOrigin: 'https://matrix.example.org' } });
    }

    it('audits the client stores instead, says why, keeps the built snapshot, and records no pins from them', async () => {
      const scenario = buildScenario('honest');
      const calls: { base: string; clientStore: unknown; offline: unknown }[] = [];
      const t = setup({
        capture: async () => err(unreachable),
        readClientStore: async () => ({ kind: 'rust', dumpJson: '{"stand":"in"}', pickleKey: 'P'.repeat(43) }),
        readSyncStore: async () => ({ dumpJson: '{"sync":"dump"}' }),
        runOfflineAudit: async (base, now, clientStore, offline) => {
          calls.push({ base, clientStore, offline });
          const built = { ...(JSON.parse(JSON.stringify(scenario.snapshot)) as JsonObject), capturedFrom: 'client-store' };
          const r = await audit(built, { now: new Date(now) });
          return r.ok ? ok({ report: r.value, snapshotJson: JSON.stringify(built) }) : err<MessageError>({ code: 'audit-failed', message: r.error.message });
        },
      });
      const r = await confirmed(t);
      assert.ok(r.ok);
      const s = r.value as AuditState;
      assert.equal(s.phase, 'done', JSON.stringify(s));
      assert.ok(s.phase === 'done');
      assert.equal(s.offlineBecause, unreachable.message);
      assert.equal(s.report.capturedFrom, 'client-store');
      assert.equal(calls.length, 1);
      assert.deepEqual(calls[0]!.offline, { userId: scenario.snapshot.userId, deviceId: scenario.snapshot.deviceId, homeserver: 'https://matrix.example.org', syncStoreJson: '{"sync":"dump"}' });
      assert.deepEqual(JSON.parse(calls[0]!.base), { pins: {} });
      assert.match(t.getSnapshot() ?? '', /"capturedFrom":"client-store"/);
      assert.equal(t.pins.rows.length, 0, 'keys from a page-writable store are never pinned');
      assert.equal(t.badges.length, 1);
      assert.ok(!JSON.stringify(t.states).includes(TOKEN) && !JSON.stringify(t.states).includes('P'.repeat(43)), 'a secret reached the stored state');
    });

    it('passes the pins it already has to the offline audit', async () => {
      let base = '';
      const t = setup({
        capture: async () => err(unreachable),
        readClientStore: async () => ({ kind: 'rust', dumpJson: '{}' }),
        runOfflineAudit: async (b) => {
          base = b;
          return err<MessageError>({ code: 'audit-failed', message: 'stop here' });
        },
      });
      t.pins.rows.push({ schemaVersion: 1, userId: '@bob:example.org', masterKey: 'B'.repeat(43), firstSeen: '2026-11-01T00:00:00Z', lastSeen: '2026-11-01T00:00:00Z', accepted: true });
      const r = await confirmed(t);
      assert.deepEqual((JSON.parse(base) as { pins: Record<string, { masterKey: string }> }).pins['@bob:example.org']?.masterKey, 'B'.repeat(43));
      assert.ok(r.ok && (r.value as AuditState).phase === 'error', 'a failed offline audit is an error, with both reasons');
      const s = r.value as AuditState;
      assert.ok(s.phase === 'error' && s.error.message === `${unreachable.message} stop here`);
    });

    it('without a usable client store: one error that gives both reasons', async () => {
      const t = setup({ capture: async () => err(unreachable), readClientStore: async () => ({ unavailable: 'This page has no rust crypto store' }) });
      const r = await confirmed(t);
      assert.ok(r.ok);
      const s = r.value as AuditState;
      assert.ok(s.phase === 'error');
      assert.equal(s.error.message, `${unreachable.message} This browser's client store could not stand in for it: This page has no rust crypto store.`);
      assert.ok(!('unreachable' in s.error), 'the internal flag stays internal');
    });

    it('a refused token or a malformed answer is not "offline": the error stands, no store is read', async () => {
      let read = 0;
      const t = setup({
        capture: async () => err<MessageError>({ code: 'capture-failed', message: 'The homeserver rejected the access token (M_UNKNOWN_TOKEN).' }),
        readClientStore: async () => {
          read++;
          return { unavailable: 'x' };
        },
      });
      const r = await confirmed(t);
      assert.ok(r.ok);
      const s = r.value as AuditState;
      assert.ok(s.phase === 'error' && /rejected the access token/.test(s.error.message));
      assert.equal(read, 0);
    });
  });
});
