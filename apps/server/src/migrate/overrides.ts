/*
 * Overrides an import puts in klaxon.yaml (a schedule's `overrides`, added by `klaxon apply` unless
 * the schedule already has one with the same people, start and end): one way for every importer, so
 * they are applied in the import's one transaction with everything else.
 */
import { DateTime } from 'luxon';
import type { ScheduleOverrideSpec } from '../config/schema.js';
import { localToInstant } from '../schedule/compute/index.js';
import { localDateTime } from '../schedule/portable.js';
import { must } from '../lib/must.js';

/** Klaxon keeps at most this many overrides per schedule in klaxon.yaml (the schema's maxItems). */
export const MAX_OVERRIDES = 500;

/**
 * An instant as klaxon.yaml writes it for a schedule in `zone`: the local date-time when it reads back
 * as exactly that instant, else (the repeated hour when clocks go back, milliseconds) ISO with offset.
 */
export function overrideTime(t: number, zone: string): string {
  const local = localDateTime(t, zone);
  try {
    if (localToInstant(local, zone) === t) return local;
  } catch {
    // not a local time Klaxon reads: fall through to the exact form
  }
  return must(DateTime.fromMillis(t, { zone }).toISO({ includeOffset: true, suppressMilliseconds: true }), 'the ISO form of the override time');
}

/** The longest override Klaxon keeps (addOverride refuses longer ones). */
export const MAX_OVERRIDE_MS = 366 * 24 * 3_600_000;

/**
 * An override in klaxon.yaml form: exactly `users` on call for [start, end), instead of everyone.
 * One longer than Klaxon's longest (366 days) becomes consecutive overrides that cover exactly the
 * same span, each at most 366 days, so the same people are on call at every instant.
 */
export function overrideSpecs(users: readonly string[], start: number, end: number, zone: string, note: string): ScheduleOverrideSpec[] {
  const out: ScheduleOverrideSpec[] = [];
  for (let from = start; from < end; from += MAX_OVERRIDE_MS) {
    const to = Math.min(end, from + MAX_OVERRIDE_MS);
    out.push({ users: [...users], start: overrideTime(from, zone), end: overrideTime(to, zone), note: note.slice(0, 500) });
  }
  return out;
}

/** The report's words for an override split by overrideSpecs. */
export function splitNote(pieces: number): string {
  return `${pieces} consecutive Klaxon overrides of at most 366 days covering exactly the same span and people`;
}
