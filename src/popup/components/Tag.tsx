/**
 * @module popup/components/Tag — a status word with its tone. The tone is never carried by colour
 * alone: each has its own symbol, and the word is always written out.
 */
import type { Tone } from '../view/format.ts';

const SYMBOL: Record<Tone, string> = { ok: '✓', warning: '!', error: '✕', info: 'i' };
/** What a screen reader says for each tone's symbol. */
const TONE_LABEL: Record<Tone, string> = { ok: 'fine', warning: 'warning', error: 'problem', info: 'note' };

/** A short status word ("Verified", "Not trusted") in its tone's colours. */
export function Tag({ tone, children }: { tone: Tone; children: string }) {
  return (
    <span class={`tag tag-${tone}`}>
      <span class="tag-symbol" aria-hidden="true">
        {SYMBOL[tone]}
      </span>
      {children}
    </span>
  );
}

/** Just the symbol, for dense lists; the caller gives the words next to it. */
export function ToneMark({ tone, label }: { tone: Tone; label?: string }) {
  return (
    <span class={`mark mark-${tone}`} role="img" aria-label={label ?? TONE_LABEL[tone]}>
      {SYMBOL[tone]}
    </span>
  );
}
