/**
 * @module report/finding — builds Finding values. Every finding says what is wrong in plain words
 * (`message`) and what to do (`hint`); evidence carries only public data (key IDs, states).
 */
import type { Finding, FindingCode, Severity } from './types.ts';

export interface FindingInput {
  readonly code: FindingCode;
  readonly severity: Severity;
  readonly message: string;
  readonly hint: string;
  readonly userId?: string;
  readonly deviceId?: string;
  readonly evidence?: Readonly<Record<string, unknown>>;
}

export function makeFinding(f: FindingInput): Finding {
  return {
    code: f.code,
    severity: f.severity,
    ...(f.userId !== undefined ? { userId: f.userId } : {}),
    ...(f.deviceId !== undefined ? { deviceId: f.deviceId } : {}),
    message: f.message,
    hint: f.hint,
    evidence: f.evidence ?? {},
  };
}

const SEVERITY_ORDER: Record<Severity, number> = { error: 0, warning: 1, info: 2 };

/** Orders findings for display: errors first, then by user and device, stable otherwise. */
export function sortFindings(findings: readonly Finding[]): Finding[] {
  return findings
    .map((f, i) => ({ f, i }))
    .sort((a, b) => SEVERITY_ORDER[a.f.severity] - SEVERITY_ORDER[b.f.severity] || (a.f.userId ?? '').localeCompare(b.f.userId ?? '') || a.i - b.i)
    .map((x) => x.f);
}
