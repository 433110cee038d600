/**
 * @module popup/components/Fingerprint — a public key in groups of four, in monospace
 * (security.md §5 "UI"), so two keys can be compared group by group. Spaces between groups are
 * real text, so a copied fingerprint keeps them.
 */

/** A key fingerprint; `label` names it for screen readers ("master key"). */
export function Fingerprint({ groups, label }: { groups: readonly string[]; label: string }) {
  return (
    <code class="fp" title={`${label} fingerprint`}>
      {groups.flatMap((g, i) => [
        i > 0 ? ' ' : null,
        <span class="fp-group" key={i}>
          {g}
        </span>,
      ])}
    </code>
  );
}
