import { WEEKDAYS } from '../schedule/compute/types.js';
import { localDay, minuteOfDay, parseTime, toLocal, weekdayOfDay } from '../schedule/compute/zone.js';
import type { Service, SupportHours } from './types.js';
import { must } from '../lib/must.js';

/** True when `at` falls inside the support hours: a listed local weekday, from start (inclusive) to end (exclusive). */
export function inSupportHours(h: SupportHours, at: number): boolean {
  const local = toLocal(h.timeZone, at);
  const day = must(WEEKDAYS[weekdayOfDay(localDay(local))], 'the weekday');
  if (!h.days.includes(day)) return false;
  const m = minuteOfDay(local);
  return m >= must(parseTime(h.start), 'parseTime(h.start)') && m < must(parseTime(h.end, true), 'parseTime(h.end, true)');
}

/**
 * The urgency of an incident opened on `service` at `at` by an alert of `severity`: by the service's
 * urgency rule (severity: critical and error are high, the rest low; constant; or by support hours).
 */
export function incidentUrgency(service: Pick<Service, 'urgencyRule' | 'supportHours'>, severity: string, at: number): 'high' | 'low' {
  const rule = service.urgencyRule ?? { type: 'severity' };
  if (rule.type === 'constant') return rule.urgency;
  if (rule.type === 'support-hours') {
    // Without support hours (refused on save) every instant is outside them.
    return service.supportHours && inSupportHours(service.supportHours, at) ? rule.during : rule.outside;
  }
  return severity === 'critical' || severity === 'error' ? 'high' : 'low';
}
