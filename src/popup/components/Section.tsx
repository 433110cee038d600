/**
 * @module popup/components/Section — one titled part of the report, its heading carrying the
 * section's overall state, labelled for screen readers by that heading.
 */
import type { ComponentChildren } from 'preact';
import { Tag } from './Tag.tsx';
import type { Tone } from '../view/format.ts';

export interface SectionProps {
  readonly id: string;
  readonly title: string;
  readonly state?: { readonly tone: Tone; readonly word: string };
  readonly children: ComponentChildren;
}

/** A report section with a heading and an optional status word. */
export function Section({ id, title, state, children }: SectionProps) {
  return (
    // tabIndex -1: the summary's links to a section move keyboard focus there, not only the scroll.
    <section class="card" aria-labelledby={`${id}-title`} id={id} tabIndex={-1}>
      <h2 id={`${id}-title`} class="card-title">
        <span>{title}</span>
        {state ? <Tag tone={state.tone}>{state.word}</Tag> : null}
      </h2>
      {children}
    </section>
  );
}
