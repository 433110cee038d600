/**
 * @module background/badge — the toolbar badge: the number of problems (errors and warnings) of
 * the latest report, red when any is an error. Nothing secret, nothing identifying.
 */
import type { Browser } from '../platform/browser.ts';
import type { Report } from '../core/report/types.ts';

export function badgeText(report: Report | undefined): { text: string; color: string } {
  if (!report) return { text: '', color: '#5f6368' };
  const errors = report.findings.filter((f) => f.severity === 'error').length;
  const problems = errors + report.findings.filter((f) => f.severity === 'warning').length;
  if (problems === 0) return { text: '✓', color: '#188038' };
  return { text: problems > 99 ? '99+' : String(problems), color: errors > 0 ? '#c5221f' : '#b06000' };
}

export async function setBadge(browser: typeof Browser, report: Report | undefined): Promise<void> {
  const { text, color } = badgeText(report);
  await browser.action.setBadgeText({ text });
  await browser.action.setBadgeBackgroundColor({ color });
}
