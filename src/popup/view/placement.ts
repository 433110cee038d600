/**
 * @module popup/view/placement — which section of the report shows each finding, so it is read
 * next to what it is about. Every finding lands in exactly one place (a test renders every sample
 * and checks that none is lost or shown twice).
 */
import type { Finding, Report } from '../../core/report/types.ts';

export type Place = 'identity' | 'sessions' | 'people' | 'backup' | 'secret-storage';

/**
 * The section a finding belongs to.
 * @param f the finding
 * @param r the report it is from
 */
export function placeOf(f: Finding, r: Report): Place {
  if (f.code.startsWith('BACKUP_')) return 'backup';
  if (f.code.startsWith('SECRET_') || f.code.startsWith('RECOVERY_KEY_')) return 'secret-storage';
  if (f.code === 'KEYS_QUERY_FAILURE') return 'people';
  const own = r.subject.userId;
  if (f.userId !== undefined && f.userId !== own) return 'people';
  if (f.userId === own && f.deviceId !== undefined) {
    const listed = r.users.find((u) => u.userId === own)?.devices.some((d) => d.deviceId === f.deviceId) ?? false;
    if (listed) return 'sessions';
  }
  return 'identity';
}

/** The findings of one section, in report order. */
export function findingsIn(r: Report, place: Place): Finding[] {
  return r.findings.filter((f) => placeOf(f, r) === place);
}
