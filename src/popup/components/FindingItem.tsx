/**
 * @module popup/components/FindingItem — one finding (or several saying the same thing): what is
 * wrong, why it matters, what to do. Every string here has been through the view model's safeText.
 */
import type { FindingGroup, FindingView } from '../view/findings.ts';
import { groupFindings } from '../view/findings.ts';
import { Tag } from './Tag.tsx';

/** One finding group as a list item. */
export function FindingItem({ g, hideAbout = false }: { g: FindingGroup; hideAbout?: boolean }) {
  const f = g.first;
  return (
    <li class={`finding finding-${f.tone}`}>
      <p class="finding-head">
        <Tag tone={f.tone}>{g.messages.length > 1 ? `${f.severityWord} ×${g.messages.length}` : f.severityWord}</Tag>
        {f.about && !hideAbout && g.messages.length === 1 ? <span class="finding-about">{f.about}</span> : null}
      </p>
      {g.messages.length === 1 ? (
        <p class="finding-message">{f.message}</p>
      ) : (
        <ul class="finding-messages">
          {g.messages.map((m, i) => (
            <li class="finding-message" key={i}>
              {m}
            </li>
          ))}
        </ul>
      )}
      {f.why ? (
        <p class="finding-why">
          <strong>Why it matters: </strong>
          {f.why}
        </p>
      ) : null}
      <p class="finding-hint">
        <strong>What to do: </strong>
        {f.hint}
      </p>
      <p class="finding-code">
        <span class="visually-hidden">Code: </span>
        {f.code}
      </p>
    </li>
  );
}

/** A list of findings, same-code ones grouped; nothing when empty. `hideAbout` where the row around it already says whom it is about. */
export function FindingList({ findings, label, hideAbout = false }: { findings: readonly FindingView[]; label: string; hideAbout?: boolean }) {
  if (findings.length === 0) return null;
  return (
    <ul class="findings" aria-label={label}>
      {groupFindings(findings).map((g, i) => (
        <FindingItem g={g} hideAbout={hideAbout} key={`${g.first.code}-${i}`} />
      ))}
    </ul>
  );
}
