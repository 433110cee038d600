/**
 * @module popup/screens/StatusScreens — everything before there is a report: loading, the audit
 * running (with the background's current step), the first-time homeserver confirmation, errors,
 * and the start page of the report page when nothing was audited yet.
 */
import type { MessageError } from '../../protocol/messages.ts';
import { safeText } from '../view/safeText.ts';

/** Shown while the first state is fetched or an audit runs. */
export function Progress({ title, step }: { title: string; step?: string }) {
  return (
    <div class="status-screen" role="status" aria-live="polite">
      <div class="spinner" aria-hidden="true" />
      <h1 class="screen-title" tabIndex={-1}>
        {title}
      </h1>
      {step ? <p class="muted">{safeText(step, 200)}</p> : null}
    </div>
  );
}

/** The first time a homeserver is seen, the user confirms it before the token is sent to it. */
export function ConfirmHomeserver({ origin, userId, onConfirm, onCancel }: { origin: string; userId: string; onConfirm: () => void; onCancel: () => void }) {
  return (
    <div class="status-screen">
      <h1 class="screen-title" tabIndex={-1}>
        Is this your homeserver?
      </h1>
      <p>Crosscheck found a signed-in session on this page:</p>
      <dl class="facts">
        <div>
          <dt>Account</dt>
          <dd class="mono">{safeText(userId)}</dd>
        </div>
        <div>
          <dt>Homeserver</dt>
          <dd class="mono">{safeText(origin)}</dd>
        </div>
      </dl>
      <p>
        To read your keys, Crosscheck asks this server with your session's access token. Continue only if this is the server your account is on. Crosscheck
        will remember it, and never send the token anywhere else.
      </p>
      <div class="actions">
        <button type="button" class="primary" onClick={onConfirm}>
          Yes, check my keys
        </button>
        <button type="button" onClick={onCancel}>
          Cancel
        </button>
      </div>
    </div>
  );
}

const ERROR_TITLES: Record<MessageError['code'], string> = {
  'bad-request': 'Something went wrong inside Crosscheck',
  'no-active-tab': 'There is no tab to check',
  'unsupported-page': 'This page is not a supported signed-in Matrix client',
  'needs-confirmation': 'Please confirm the homeserver first',
  'capture-failed': 'Could not read your keys from your homeserver',
  'audit-failed': 'The check could not be completed',
  'no-snapshot': 'There is nothing to check yet',
  internal: 'Something went wrong inside Crosscheck',
};

/** An error, in words, with a way on. */
export function ErrorScreen({ error, onRetry, onDemo }: { error: MessageError; onRetry?: () => void; onDemo?: () => void }) {
  return (
    <div class="status-screen">
      <h1 class="screen-title" tabIndex={-1}>
        {ERROR_TITLES[error.code] ?? ERROR_TITLES.internal}
      </h1>
      <p>{safeText(error.message, 600)}</p>
      {error.code === 'unsupported-page' ? (
        <p class="muted">Open Crosscheck on a tab where Element Web (or another matrix-js-sdk client) is open and signed in.</p>
      ) : null}
      <div class="actions">
        {onRetry ? (
          <button type="button" class="primary" onClick={onRetry}>
            Try again
          </button>
        ) : null}
        {onDemo ? (
          <button type="button" onClick={onDemo}>
            Look at the demo account
          </button>
        ) : null}
      </div>
    </div>
  );
}

/** The report page when nothing has been checked yet. */
export function StartScreen({ onDemo }: { onDemo: () => void }) {
  return (
    <div class="status-screen">
      <h1 class="screen-title" tabIndex={-1}>
        Check your Matrix encryption keys
      </h1>
      <p>
        Open a tab where Element Web is signed in, then click the Crosscheck button in the toolbar. Crosscheck reads the session, asks your homeserver for
        the keys, and tells you in plain words what is wrong and what to do.
      </p>
      <div class="actions">
        <button type="button" class="primary" onClick={onDemo}>
          Look at the demo account
        </button>
      </div>
      <p class="muted">The demo is a made-up account with several problems, to show what a report looks like.</p>
    </div>
  );
}
