/**
 * @module background/orchestrator — what the background does for each popup request
 * (issue 4 item 3): session → homeserver capture → audit in a Worker → report kept in
 * storage.session → badge. Built from injected parts so it runs in Node tests with fakes
 * (STYLE §9.5); src/background/main.ts wires the real ones.
 *
 * The access token exists only inside one `auditTab` call: read from the page, sent only in the
 * Authorization header to the homeserver origin the user confirmed for that account, dropped at
 * the end. Nothing this module stores or returns contains it.
 */
import { type Result, ok, err } from '../core/result.ts';
import type { Report } from '../core/report/types.ts';
import type { JsonObject } from '../core/json/strictJson.ts';
import type { ClientSession } from '../protocol/session.ts';
import type { ClientStoreInput, OfflineInput } from '../protocol/worker.ts';
import type { AuditState, Envelope, MessageError, PinRecord, Reply, Requests, RequestType } from '../protocol/messages.ts';
import { checkClientSession, matchWhoami } from '../sources/clientStorage/elementSession.ts';
import { writeLosslessJson } from '../core/json/writeJson.ts';
import type { PinStore } from '../store/pinStore.ts';
import { pinsForSnapshot } from '../store/pinLogic.ts';

/** A capture failure; `unreachable` when the homeserver could not be reached at all (network, time-out, 5xx). */
export type CaptureFailure = MessageError & { readonly unreachable?: boolean };

/** What the page's sync store gave (sources/clientStorage/syncStore): its dump as JSON text, or why there is none. */
export type SyncStoreInput = { readonly dumpJson: string } | { readonly unavailable: string };

export interface Approvals {
  has(homeserverOrigin: string, userId: string): Promise<boolean>;
  add(homeserverOrigin: string, userId: string, at: string): Promise<void>;
}

export interface StateStore {
  get(): Promise<AuditState>;
  set(state: AuditState): Promise<void>;
  /** The snapshot behind the latest report (public data), if still held. */
  snapshot(): Promise<string | undefined>;
  setSnapshot(json: string | undefined): Promise<void>;
}

export interface BackgroundDeps {
  /** Runs the session reader in the tab's top frame and validates what it returns. */
  readSession(tabId: number): Promise<Result<ClientSession, MessageError>>;
  capture(session: ClientSession, onStep: (step: string) => void): Promise<Result<JsonObject, CaptureFailure>>;
  /** Copies the client's own crypto store (issue 5); never fails: an unreadable store says why. */
  readClientStore(tabId: number): Promise<ClientStoreInput>;
  /** Copies the client's sync store (account data, room members), for an offline audit only. */
  readSyncStore(tabId: number): Promise<SyncStoreInput>;
  /** The report, and the snapshot as the Worker audited it when it added the client store's view. */
  runAudit(snapshotJson: string, now: string, clientStore?: ClientStoreInput): Promise<Result<{ report: Report; snapshotJson?: string }, MessageError>>;
  /** The Worker builds the snapshot from the client's stores, audits it, and returns both. */
  runOfflineAudit(baseJson: string, now: string, clientStore: ClientStoreInput, offline: OfflineInput): Promise<Result<{ report: Report; snapshotJson: string }, MessageError>>;
  demoSnapshotJson(): Promise<string>;
  approvals: Approvals;
  pins: PinStore;
  state: StateStore;
  badge(report: Report | undefined): Promise<void>;
  now(): Date;
  /** Plain http to loopback homeservers: test builds only (security.md H1). */
  readonly allowLoopbackHttp: boolean;
}

type Handler<K extends RequestType> = (payload: Requests[K]['req']) => Promise<Reply<Requests[K]['res']>>;

const fail = (code: MessageError['code'], message: string): { ok: false; error: MessageError } => err({ code, message });

export function createOrchestrator(deps: BackgroundDeps) {
  const setState = async (s: AuditState) => {
    await deps.state.set(s);
    return s;
  };

  async function auditSnapshot(snapshot: JsonObject, source: 'tab' | 'demo', started: number, homeserverOrigin?: string, clientStore?: ClientStoreInput): Promise<AuditState> {
    const userIds = userIdsOf(snapshot);
    // Identity pins from our own database (TOFU): the snapshot carries them to core.
    const withPins = { ...snapshot, pins: { ...(snapshot['pins'] as object | undefined), ...(source === 'tab' ? await deps.pins.pinsFor(userIds) : {}) } };
    // Lossless: a float or huge integer in a signed object must reach the Worker as written.
    const json = writeLosslessJson(withPins);
    await setState({ phase: 'running', step: 'Checking signatures and keys' });
    const audited = await deps.runAudit(json, deps.now().toISOString(), clientStore);
    if (!audited.ok) return setState({ phase: 'error', error: audited.error });
    const report = audited.value.report;
    if (source === 'tab') await deps.pins.record(masterKeysOf(report), deps.now().toISOString());
    // What the popup's recovery-key check audits again: with the client store's view when the Worker added it.
    await deps.state.setSnapshot(audited.value.snapshotJson ?? json);
    await deps.badge(report);
    return setState({
      phase: 'done',
      report,
      source,
      ...(homeserverOrigin ? { homeserverOrigin } : {}),
      finishedAt: deps.now().toISOString(),
      tookMs: Math.round(deps.now().getTime() - started),
    });
  }

  const handlers: { [K in RequestType]: Handler<K> } = {
    'get-state': async () => ok(await deps.state.get()),

    'audit-tab': async ({ tabId }) => ok(await auditTab(tabId, undefined)),

    'confirm-homeserver': async ({ tabId, homeserverOrigin }) => ok(await auditTab(tabId, homeserverOrigin)),

    'load-demo': async () => {
      const started = deps.now().getTime();
      await setState({ phase: 'running', step: 'Opening the demo account' });
      const text = await deps.demoSnapshotJson();
      return ok(await auditSnapshot(JSON.parse(text) as JsonObject, 'demo', started));
    },

    'get-snapshot': async () => {
      const json = await deps.state.snapshot();
      return json ? ok({ snapshotJson: json }) : fail('no-snapshot', 'There is no checked account yet: run a check first.');
    },

    'get-pins': async ({ userId }) => {
      const rows = await deps.pins.history(userId);
      const pins: PinRecord[] = rows.map((r) => ({ userId: r.userId, masterKey: r.masterKey, firstSeen: r.firstSeen, lastSeen: r.lastSeen, accepted: r.accepted }));
      return ok({ pins });
    },

    'accept-identity': async ({ userId, masterKey }) => ok({ accepted: await deps.pins.acceptKey(userId, masterKey, deps.now().toISOString()) }),
  };

  /**
   * Reads the tab's session and audits it. `confirmedOrigin` is the origin the user just
   * confirmed; it must equal the session's, or nothing is sent (a page could have changed
   * mx_hs_url between the two clicks, security.md H1).
   */
  async function auditTab(tabId: number, confirmedOrigin: string | undefined): Promise<AuditState> {
    const started = deps.now().getTime();
    await setState({ phase: 'running', step: 'Reading the signed-in session' });
    const read = await deps.readSession(tabId);
    if (!read.ok) return setState({ phase: 'error', error: read.error });
    let session: ClientSession | undefined = read.value;
    const checked = checkClientSession(session);
    if (!checked.ok) return setState({ phase: 'error', error: { code: 'unsupported-page', message: `This session cannot be checked: ${checked.error.message}` } });
    const origin = checked.value.homeserver.origin;
    if (origin.startsWith('http:') && !deps.allowLoopbackHttp)
      return setState({ phase: 'error', error: { code: 'unsupported-page', message: `This session's homeserver (${origin}) is not reached over HTTPS, so Crosscheck will not send your access token to it.` } });
    if (confirmedOrigin !== undefined) {
      if (confirmedOrigin !== origin)
        return setState({ phase: 'error', error: { code: 'needs-confirmation', message: 'The homeserver address changed after you confirmed it; nothing was sent. Open Crosscheck again to check the new address.' } });
      await deps.approvals.add(origin, session.userId, deps.now().toISOString());
    } else if (!(await deps.approvals.has(origin, session.userId))) {
      const userId = session.userId;
      session = undefined; // drop the token: the user has not confirmed where it may go yet
      return setState({ phase: 'needs-confirmation', tabId, homeserverOrigin: origin, userId });
    }
    const captured = await deps.capture(session, (step) => void setState({ phase: 'running', step }));
    session = undefined;
    if (!captured.ok) {
      const { unreachable, ...error } = captured.error;
      const deviceId = checked.value.deviceId;
      // Offline, the page's word is all there is about the session: it must name its device.
      if (!unreachable || deviceId === null) return setState({ phase: 'error', error });
      return auditOffline(tabId, checked.value.userId, deviceId, origin, error, started);
    }
    // The token must belong to the user and device the page shows as signed in.
    const who = matchWhoami(checked.value, { userId: String(captured.value['userId']), deviceId: String(captured.value['deviceId']) });
    if (!who.ok) return setState({ phase: 'error', error: { code: 'capture-failed', message: `Nothing was checked: ${who.error.message}.` } });
    await setState({ phase: 'running', step: "Reading this browser's client store" });
    // The pickle key in it goes only to the Worker, which decodes the store and drops it.
    const clientStore = await deps.readClientStore(tabId);
    return auditSnapshot(captured.value, 'tab', started, origin, clientStore);
  }

  /**
   * The homeserver could not be reached: audit what this browser's client stores hold instead
   * (issue 5, "what lets Crosscheck work offline"). The keys then come from a store the page can
   * write (security.md D4), so the report says so, and nothing seen here is recorded as a pin.
   */
  async function auditOffline(tabId: number, userId: string, deviceId: string, origin: string, why: MessageError, started: number): Promise<AuditState> {
    await setState({ phase: 'running', step: "Your homeserver could not be reached; reading this browser's client stores instead" });
    const clientStore = await deps.readClientStore(tabId);
    if (clientStore.unavailable !== undefined)
      return setState({ phase: 'error', error: { code: 'capture-failed', message: `${why.message} This browser's client store could not stand in for it: ${clientStore.unavailable}.` } });
    const sync = await deps.readSyncStore(tabId);
    const base = writeLosslessJson({ pins: pinsForSnapshot(await deps.pins.history()) });
    const offline: OfflineInput = { userId, deviceId, homeserver: origin, ...('dumpJson' in sync ? { syncStoreJson: sync.dumpJson } : { syncUnavailable: sync.unavailable }) };
    await setState({ phase: 'running', step: 'Checking the keys this browser last saw' });
    const r = await deps.runOfflineAudit(base, deps.now().toISOString(), clientStore, offline);
    if (!r.ok) return setState({ phase: 'error', error: { code: 'capture-failed', message: `${why.message} ${r.error.message}` } });
    await deps.state.setSnapshot(r.value.snapshotJson);
    await deps.badge(r.value.report);
    return setState({
      phase: 'done',
      report: r.value.report,
      source: 'tab',
      homeserverOrigin: origin,
      offlineBecause: why.message,
      finishedAt: deps.now().toISOString(),
      tookMs: Math.round(deps.now().getTime() - started),
    });
  }

  return {
    /** Dispatches a validated envelope; every failure is a reply, never a throw. */
    async handle(envelope: Envelope): Promise<Reply<unknown>> {
      try {
        const h = handlers[envelope.type] as Handler<RequestType>;
        return await h(envelope.payload);
      } catch (e) {
        const error: MessageError = { code: 'internal', message: `Something went wrong inside Crosscheck: ${e instanceof Error ? e.message : String(e)}` };
        await setState({ phase: 'error', error }).catch(() => undefined);
        return err(error);
      }
    },
  };
}

function userIdsOf(snapshot: JsonObject): string[] {
  const kq = snapshot['keysQuery'] as Record<string, Record<string, unknown> | undefined> | undefined;
  const ids = new Set<string>();
  for (const m of ['device_keys', 'master_keys']) for (const u of Object.keys(kq?.[m] ?? {})) ids.add(u);
  return [...ids];
}

function masterKeysOf(report: Report): Map<string, string> {
  const out = new Map<string, string>();
  for (const u of report.users) if (u.masterKey && u.identity !== 'refused' && u.identity !== 'unknown') out.set(u.userId, u.masterKey);
  return out;
}
