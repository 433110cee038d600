/**
 * @module popup/view/clientStore — "This browser's client store": what the signed-in client holds
 * in this browser (report.clientStore, issue 5), each line set against what is published. Labelled
 * as the client's own facts: the page can write that store (security.md D4), so nothing here is
 * shown as a proof.
 */
import type { Report, StoreKeyMatch } from '../../core/report/types.ts';
import { count, worstTone, type Tone } from './format.ts';
import { safeText } from './safeText.ts';

export interface ClientStoreRow {
  readonly label: string;
  readonly value: string;
  readonly tone: Tone;
}

export interface ClientStoreView {
  readonly client: string;
  readonly word: string;
  readonly tone: Tone;
  readonly rows: ClientStoreRow[];
}

const KEY: Record<StoreKeyMatch, { value: string; tone: Tone }> = {
  matches: { value: 'Held; matches your published key', tone: 'ok' },
  differs: { value: 'Held, but it is NOT the key you publish', tone: 'error' },
  'not-cached': { value: 'Not held in this browser', tone: 'info' },
  'not-published': { value: 'Held; nothing published to compare it with', tone: 'warning' },
  unknown: { value: 'Unknown', tone: 'info' },
};

export function clientStoreView(report: Report): ClientStoreView | undefined {
  const c = report.clientStore;
  if (!c) return undefined;
  const session: ClientStoreRow =
    c.thisSession === 'matches'
      ? { label: 'This session’s keys', value: 'Match the keys your server publishes for it', tone: 'ok' }
      : c.thisSession === 'differs'
        ? { label: 'This session’s keys', value: 'Differ from the keys your server publishes for it', tone: 'error' }
        : c.thisSession === 'not-published'
          ? { label: 'This session’s keys', value: 'Not published by your server', tone: 'warning' }
          : { label: 'This session’s keys', value: 'Unknown', tone: 'info' };
  const key = (label: string, m: StoreKeyMatch, extra = ''): ClientStoreRow => ({ label, value: `${KEY[m].value}${extra}`, tone: KEY[m].tone });
  const rows: ClientStoreRow[] = [
    session,
    key('Master key', c.crossSigning.master),
    key('Self-signing key', c.crossSigning.selfSigning),
    key('User-signing key', c.crossSigning.userSigning),
    key('Backup key', c.backupKey, c.backupKeyVersion ? ` (backup version ${safeText(c.backupKeyVersion, 20)})` : ''),
  ];
  if (c.sessions)
    rows.push({
      label: 'Message keys',
      value: `${count(c.sessions.total, 'key')} in ${count(c.sessions.rooms, 'room')}; ${c.sessions.notBackedUp === 0 ? 'all backed up' : `${c.sessions.notBackedUp} not backed up`}`,
      tone: c.sessions.notBackedUp > 0 ? 'warning' : 'ok',
    });
  if (c.withheld !== undefined && c.withheld > 0) rows.push({ label: 'Withheld keys', value: `${count(c.withheld, 'key')} a sender refused to share with this session`, tone: 'info' });
  rows.push({
    label: 'Other people',
    value: `${count(c.identities.held, 'identity', 'identities')} held${c.identities.changed > 0 ? `; ${c.identities.changed} changed since the client pinned them` : ''}`,
    tone: c.identities.changed > 0 ? 'warning' : 'ok',
  });
  const tone = worstTone(rows.map((r) => r.tone));
  return { client: safeText(c.client, 80), tone, word: tone === 'error' ? 'Does not match' : tone === 'warning' ? 'Check' : 'Read', rows };
}
