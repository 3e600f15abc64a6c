import { WEEKDAYS } from '../schedule/compute/types.js';
import { isValidZone, localDay, minuteOfDay, parseTime, toLocal, weekdayOfDay } from '../schedule/compute/zone.js';
import type { FieldError } from '../lib/errors.js';
import type { LevelCondition } from '@klaxon/contract';
import { must } from '../lib/must.js';

/** What a level's condition is checked against: the incident at the moment the level would fire. */
export interface ConditionFacts {
  at: number;
  severity: string;
  urgency: string;
  /** Labels of the incident's first alert (details.labels, else the top-level strings of details). */
  labels: Record<string, string>;
}

/** Whether a condition holds, and a sentence saying why not (or why it does). */
export function evaluateCondition(c: LevelCondition | undefined, f: ConditionFacts): { holds: boolean; reason: string } {
  if (!c) return { holds: true, reason: 'no condition' };
  const why: string[] = [];
  if (c.timeZone && (c.days || c.between)) {
    const local = toLocal(c.timeZone, f.at);
    const day = must(WEEKDAYS[weekdayOfDay(localDay(local))], 'the weekday');
    const m = minuteOfDay(local);
    const hhmm = `${String(Math.floor(m / 60)).padStart(2, '0')}:${String(m % 60).padStart(2, '0')}`;
    if (c.days && !c.days.includes(day)) return { holds: false, reason: `it is ${day} ${hhmm} in ${c.timeZone}, not one of ${c.days.join(', ')}` };
    if (c.between) {
      const s = must(parseTime(c.between.start), 'parseTime(c.between.start)');
      const e = must(parseTime(c.between.end, true), 'parseTime(c.between.end, true)');
      const inside = s < e ? m >= s && m < e : m >= s || m < e;
      if (!inside) return { holds: false, reason: `it is ${hhmm} in ${c.timeZone}, outside ${c.between.start}-${c.between.end}` };
    }
    why.push(`${day} ${hhmm} in ${c.timeZone}`);
  }
  if (c.severity && !c.severity.includes(f.severity as never)) return { holds: false, reason: `severity is ${f.severity}, not ${c.severity.join(' or ')}` };
  if (c.severity) why.push(`severity ${f.severity}`);
  if (c.urgency && c.urgency !== f.urgency) return { holds: false, reason: `urgency is ${f.urgency}, not ${c.urgency}` };
  if (c.urgency) why.push(`urgency ${f.urgency}`);
  if (c.label) {
    const v = Object.prototype.hasOwnProperty.call(f.labels, c.label.key) ? f.labels[c.label.key] : undefined;
    const ok = v !== undefined && (c.label.equals !== undefined ? v === c.label.equals : (c.label.in ?? []).includes(v));
    const want = c.label.equals !== undefined ? `= ${c.label.equals}` : `in [${(c.label.in ?? []).join(', ')}]`;
    if (!ok) return { holds: false, reason: v === undefined ? `label ${c.label.key} is absent (wanted ${want})` : `label ${c.label.key} is ${v}, not ${want}` };
    why.push(`label ${c.label.key}=${v}`);
  }
  return { holds: true, reason: why.join(', ') || 'no condition' };
}

/** The problems of a condition the schema cannot see, with paths under `path`. */
export function conditionProblems(c: LevelCondition | undefined, path: string): FieldError[] {
  if (!c) return [];
  const errors: FieldError[] = [];
  if ((c.days || c.between) && !c.timeZone) errors.push({ path: `${path}.timeZone`, message: 'required with days or between' });
  if (c.timeZone && !isValidZone(c.timeZone)) errors.push({ path: `${path}.timeZone`, message: `unknown time zone ${c.timeZone}` });
  if (c.between && c.between.start === c.between.end) errors.push({ path: `${path}.between`, message: 'start and end are the same (an empty window)' });
  if (c.label && (c.label.equals === undefined) === (c.label.in === undefined)) errors.push({ path: `${path}.label`, message: 'give exactly one of equals or in' });
  return errors;
}

/** The labels a condition reads from an incident's details JSON. */
export function labelsOf(details: string | null | undefined): Record<string, string> {
  let d: unknown;
  try {
    d = details ? JSON.parse(details) : {};
  } catch {
    return {};
  }
  if (!d || typeof d !== 'object' || Array.isArray(d)) return {};
  const o = d as Record<string, unknown>;
  const src = o.labels && typeof o.labels === 'object' && !Array.isArray(o.labels) ? (o.labels as Record<string, unknown>) : o;
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(src)) if (typeof v === 'string') out[k] = v;
  return out;
}
