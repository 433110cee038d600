/**
 * @module popup/view/notChecked — `report.notChecked` shown honestly: the checks that could not
 * run, in the core's words, with what it means that they did not.
 */
import type { Report } from '../../core/report/types.ts';
import { safeText } from './safeText.ts';

export interface NotCheckedView {
  readonly intro: string;
  readonly items: string[];
}

/**
 * The "not checked" section.
 * @param r the report
 */
export function notCheckedView(r: Report): NotCheckedView {
  const items = r.notChecked.map((s) => safeText(s, 400));
  return {
    intro:
      items.length === 0
        ? 'Every check had the data it needed.'
        : 'These checks could not run, for lack of data. Nothing is known about them: that is not the same as fine.',
    items,
  };
}
