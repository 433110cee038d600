/**
 * @module popup/App — the popup (and the full-tab report page, `?view=page`): fetches the audit
 * state from the background, starts an audit of the tab the toolbar was clicked on, follows it
 * while it runs, and switches between the report, the recovery-key check and the export.
 *
 * Page parameters: `view=page` (full-tab layout; no audit is started on its own), `demo=1` or
 * `source=demo` (the report page shows the embedded demo account, auditing it unless shown already), `tabId=N` (audit
 * that tab: the end-to-end tests open the page as a tab naming the target).
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import type { AuditState, MessageError } from '../protocol/messages.ts';
import type { Report } from '../core/report/types.ts';
import type { PopupApi } from './api.ts';
import type { WorkerLike } from './recoveryWorker.ts';
import type { SecretKind } from './view/recoveryKey.ts';
import { safeText } from './view/safeText.ts';
import { ReportScreen } from './screens/ReportScreen.tsx';
import { RecoveryKeyScreen } from './screens/RecoveryKeyScreen.tsx';
import { ExportScreen } from './screens/ExportScreen.tsx';
import { ConfirmHomeserver, ErrorScreen, Progress, StartScreen } from './screens/StatusScreens.tsx';

export type ViewMode = 'popup' | 'page';
type Screen = 'report' | 'recovery' | 'export';
type Shown = AuditState | { readonly phase: 'loading' };

export interface AppProps {
  readonly api: PopupApi;
  readonly mode: ViewMode;
  /** `location.search` of the page. */
  readonly search: string;
  /** The tab to audit (the active tab, or `?tabId=`). */
  readonly targetTab: () => Promise<number | undefined>;
  /** Starts the recovery-key Worker (`new Worker(<extension URL of worker.js>)`). */
  readonly createWorker: () => Promise<WorkerLike>;
  /** Fresh random bytes for one export's salt. */
  readonly randomBytes: (n: number) => Uint8Array;
  /** Closes the popup (Cancel on the confirmation). */
  readonly close: () => void;
  /** Test seam: the state to start from instead of asking the background. */
  readonly initial?: Shown;
  readonly initialScreen?: Screen;
}

const POLL_MS = 400;

/** The popup application. */
export function App(props: AppProps) {
  const { api, mode, search } = props;
  const [shown, setShown] = useState<Shown>(props.initial ?? { phase: 'loading' });
  const [screen, setScreen] = useState<Screen>(props.initialScreen ?? 'report');
  const [checked, setChecked] = useState<{ report: Report; kind: SecretKind } | undefined>();
  const [lastCheck, setLastCheck] = useState<{ report: Report; kind: SecretKind; shape?: string } | undefined>();
  const main = useRef<HTMLElement>(null);
  const moved = useRef(false);
  /** True while a request of ours is out: its reply, not polling, says what comes next. */
  const busy = useRef(false);
  const params = useMemo(() => new URLSearchParams(search), [search]);

  const fail = (error: MessageError) => setShown({ phase: 'error', error });
  const accept = (s: AuditState) => {
    if (s.phase === 'done') {
      setChecked(undefined);
      setLastCheck(undefined);
    }
    setShown(s);
  };

  async function ours<T>(f: () => Promise<T>): Promise<T> {
    busy.current = true;
    try {
      return await f();
    } finally {
      busy.current = false;
    }
  }

  async function auditTab() {
    setShown({ phase: 'running', step: 'Reading the session in this tab…' });
    const tabId = await props.targetTab();
    if (tabId === undefined) return fail({ code: 'no-active-tab', message: 'Crosscheck could not find the tab to check.' });
    const r = await ours(() => api.request('audit-tab', { tabId }));
    return r.ok ? accept(r.value) : fail(r.error);
  }

  async function loadDemo() {
    setShown({ phase: 'running', step: 'Checking the demo account…' });
    const r = await ours(() => api.request('load-demo', {}));
    return r.ok ? accept(r.value) : fail(r.error);
  }

  async function confirm(tabId: number, homeserverOrigin: string) {
    setShown({ phase: 'running', step: 'Reading your keys from your homeserver…' });
    const r = await ours(() => api.request('confirm-homeserver', { tabId, homeserverOrigin }));
    return r.ok ? accept(r.value) : fail(r.error);
  }

  // First state: ask the background; in the popup (or with ?tabId=) start checking the tab.
  useEffect(() => {
    if (props.initial) return;
    void (async () => {
      const r = await api.request('get-state', {});
      if (!r.ok) return fail(r.error);
      const s = r.value;
      if (s.phase === 'running') return accept(s);
      // A pending "is this your homeserver?" may be for another tab (or one the user cancelled):
      // never show it here; checking this page's own tab asks afresh if it needs to.
      if (mode === 'popup' || params.has('tabId')) return auditTab();
      const wantsDemo = params.get('source') === 'demo' || params.has('demo');
      if (wantsDemo && !(s.phase === 'done' && s.source === 'demo')) return loadDemo();
      return accept(s.phase === 'needs-confirmation' ? { phase: 'idle' } : s);
    })();
  }, []);

  // Follow a running audit. While our own request is out, its reply says how it ended, and the
  // background may still hold the previous result: take only its progress steps.
  useEffect(() => {
    if (shown.phase !== 'running' || props.initial) return;
    let inFlight = false;
    let stopped = false;
    const t = setInterval(async () => {
      if (inFlight) return;
      inFlight = true;
      const r = await api.request('get-state', {});
      inFlight = false;
      if (stopped) return;
      if (busy.current) {
        if (r.ok && r.value.phase === 'running') setShown(r.value);
        return;
      }
      if (!r.ok) return fail(r.error);
      if (r.value.phase !== 'idle') accept(r.value);
    }, POLL_MS);
    return () => {
      stopped = true;
      clearInterval(t);
    };
  }, [shown.phase]);

  // Move focus to the new screen's heading when the person switches screens (not on first load).
  useEffect(() => {
    if (!moved.current) return;
    moved.current = false;
    main.current?.querySelector<HTMLElement>('h1')?.focus();
  }, [screen]);
  const go = (s: Screen) => {
    moved.current = true;
    setScreen(s);
  };

  const report = shown.phase === 'done' ? (checked?.report ?? shown.report) : undefined;
  // One salt per report on screen: the preview and the saved file hash every ID the same way.
  const salt = useMemo(() => props.randomBytes(32), [report]);
  const sourceNote =
    shown.phase === 'done' ? (shown.source === 'demo' ? 'demo account (made up)' : shown.homeserverOrigin ? safeText(shown.homeserverOrigin, 120) : undefined) : undefined;

  let body;
  switch (shown.phase) {
    case 'loading':
      body = <Progress title="Opening…" />;
      break;
    case 'running':
      body = <Progress title="Checking your keys…" step={shown.step} />;
      break;
    case 'needs-confirmation':
      body = <ConfirmHomeserver origin={shown.homeserverOrigin} userId={shown.userId} onConfirm={() => void confirm(shown.tabId, shown.homeserverOrigin)} onCancel={() => (mode === 'popup' ? props.close() : setShown({ phase: 'idle' }))} />;
      break;
    case 'error':
      body = <ErrorScreen error={shown.error} onRetry={mode === 'popup' || params.has('tabId') ? () => void auditTab() : undefined} onDemo={() => void loadDemo()} />;
      break;
    case 'idle':
      body = <StartScreen onDemo={() => void loadDemo()} />;
      break;
    case 'done':
      body =
        screen === 'recovery' ? (
          <RecoveryKeyScreen
            api={api}
            createWorker={props.createWorker}
            current={shown.report}
            onChecked={(r, kind) => setChecked({ report: r, kind })}
            onShowReport={() => go('report')}
            last={lastCheck}
            onLast={setLastCheck}
          />
        ) : screen === 'export' ? (
          <ExportScreen report={report as Report} salt={salt} />
        ) : (
          <ReportScreen
            report={report as Report}
            {...(checked ? { secretKind: checked.kind } : {})}
            {...(sourceNote ? { sourceNote } : {})}
            {...(shown.offlineBecause ? { offlineBecause: shown.offlineBecause } : {})}
            onCheckKey={() => go('recovery')}
            {...(shown.source === 'tab'
              ? {
                  history: {
                    load: (userId: string) => api.request('get-pins', { userId }),
                    accept: (userId: string, masterKey: string) => api.request('accept-identity', { userId, masterKey }),
                  },
                }
              : {})}
          />
        );
      break;
  }

  return (
    <>
      <header class="topbar">
        <span class="brand">
          <span class="brand-mark" aria-hidden="true">
            ✓✕
          </span>
          Crosscheck
        </span>
        {shown.phase === 'done' ? (
          <nav aria-label="Screens" class="tabs">
            <NavButton current={screen === 'report'} onClick={() => go('report')}>
              Report
            </NavButton>
            <NavButton current={screen === 'recovery'} onClick={() => go('recovery')}>
              Recovery key
            </NavButton>
            <NavButton current={screen === 'export'} onClick={() => go('export')}>
              Export
            </NavButton>
          </nav>
        ) : null}
      </header>
      {checked && screen === 'report' ? (
        <p class="banner">
          This report includes the {checked.kind === 'passphrase' ? 'passphrase' : 'recovery key'} you checked.{' '}
          <button type="button" class="link-button" onClick={() => setChecked(undefined)}>
            Show it without
          </button>
        </p>
      ) : null}
      {/* data-state / data-screen: stable hooks for `npm start` and the end-to-end tests. */}
      <main ref={main} id="main" data-state={shown.phase} data-screen={shown.phase === 'done' ? screen : undefined}>
        {body}
      </main>
      {shown.phase === 'done' && shown.source === 'tab' && screen === 'report' && (mode === 'popup' || params.has('tabId')) ? (
        <footer class="footer">
          <button type="button" onClick={() => void auditTab()}>
            Check again
          </button>
        </footer>
      ) : null}
    </>
  );
}

function NavButton({ current, onClick, children }: { current: boolean; onClick: () => void; children: string }) {
  return (
    <button type="button" class="tab" aria-current={current ? 'page' : undefined} onClick={onClick}>
      {children}
    </button>
  );
}
