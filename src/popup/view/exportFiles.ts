/**
 * @module popup/view/exportFiles — what "Save" writes: the redacted report as JSON and as readable
 * text, with file names. Pure (the salt comes from the caller), so the preview and the saved file
 * are the same bytes.
 */
import type { Report } from '../../core/report/types.ts';
import { redactReport, type RedactOptions, type RedactedReport } from '../../core/report/redact.ts';
import { reportText } from './reportText.ts';

export interface ExportFiles {
  readonly redacted: RedactedReport;
  readonly json: string;
  readonly text: string;
  readonly jsonName: string;
  readonly textName: string;
}

/**
 * Builds both export files from one redaction.
 * @param report the report on screen
 * @param options what to hide (with the export's salt when hashing)
 */
export function exportFiles(report: Report, options: RedactOptions): ExportFiles {
  const redacted = redactReport(report, options);
  // "2026-12-04T16:19:06.437Z" → "2026-12-04-1619"
  const stamp = /^(\d{4}-\d{2}-\d{2})T(\d{2}):(\d{2})/.exec(report.generatedAt);
  const base = `crosscheck-report${stamp ? `-${stamp[1]}-${stamp[2]}${stamp[3]}` : ''}`;
  return {
    redacted,
    json: `${JSON.stringify(redacted, null, 2)}\n`,
    text: reportText(redacted, redacted.redaction),
    jsonName: `${base}.json`,
    textName: `${base}.txt`,
  };
}
