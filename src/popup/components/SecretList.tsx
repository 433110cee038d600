/**
 * @module popup/components/SecretList — each secret in secret storage with its state, as both the
 * report and the recovery-key screen show them.
 */
import type { SecretRow } from '../view/secretStorage.ts';
import { ToneMark } from './Tag.tsx';

export function SecretList({ rows, label }: { rows: readonly SecretRow[]; label?: string }) {
  return (
    <ul class="plain secrets" {...(label ? { 'aria-label': label } : {})}>
      {rows.map((x) => (
        <li key={x.name} class="with-mark">
          <ToneMark tone={x.tone} />
          <span>
            <strong>{x.label}</strong>: {x.word}
          </span>
        </li>
      ))}
    </ul>
  );
}
