/**
 * @module popup/components/IdentityHistory — on demand, a person's master-key history from our
 * pin store, and the one deliberate way to accept a changed identity: after checking it with them
 * out of band, the user accepts the new key, and the report stops calling it "changed".
 */
import { useState } from 'preact/hooks';
import type { PinRecord, Reply } from '../../protocol/messages.ts';
import { historyView } from '../view/history.ts';
import { Fingerprint } from './Fingerprint.tsx';

export interface HistoryApi {
  load(userId: string): Promise<Reply<{ pins: PinRecord[] }>>;
  accept(userId: string, masterKey: string): Promise<Reply<{ accepted: boolean }>>;
}

export function IdentityHistory({ userId, currentMasterKey, api, onAccepted }: { userId: string; currentMasterKey?: string; api: HistoryApi; onAccepted?: () => void }) {
  const [pins, setPins] = useState<PinRecord[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);
  const [accepted, setAccepted] = useState(false);
  const load = async () => {
    const r = await api.load(userId);
    if (r.ok) setPins(r.value.pins);
    else setError(r.error.message);
  };
  if (!pins)
    return (
      <div class="history">
        <button type="button" class="link-button" onClick={() => void load()}>
          Show identity history
        </button>
        {error ? <p class="muted">{error}</p> : null}
      </div>
    );
  const view = historyView(pins, userId, currentMasterKey);
  return (
    <div class="history" data-testid="identity-history">
      <p>{view.summary}</p>
      <ol class="plain">
        {view.entries.map((e) => (
          <li key={e.masterKey}>
            <Fingerprint groups={e.groups} label={`${userId} master key`} /> <span class="muted">{e.seen}</span>
            {e.current ? <strong> · now</strong> : null}
            {e.pinned ? <span> · pinned</span> : null}
          </li>
        ))}
      </ol>
      {view.acceptable && !accepted ? (
        <button
          type="button"
          onClick={() =>
            void api.accept(userId, view.acceptable as string).then((r) => {
              if (r.ok && r.value.accepted) {
                setAccepted(true);
                onAccepted?.();
              } else setError(r.ok ? 'Nothing to accept.' : r.error.message);
            })
          }
        >
          I checked this new identity with them: accept it
        </button>
      ) : null}
      {accepted ? <p>Accepted. The next check compares against the new key.</p> : null}
      {error ? <p class="muted">{error}</p> : null}
    </div>
  );
}
