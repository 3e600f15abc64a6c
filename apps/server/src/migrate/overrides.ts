/*
 * Overrides an import puts in klaxon.yaml (a schedule's `overrides`, added by `klaxon apply` unless
 * the schedule already has one with the same people, start and end): one way for every importer, so
 * they are applied in the import's one transaction with everything else.
 */
import { DateTime } from 'luxon';
import type { ScheduleOverrideSpec } from '../config/schema.js';
import { localToInstant } from '../schedule/compute/index.js';
import { localDateTime } from '../schedule/portable.js';

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
  return DateTime.fromMillis(t, { zone }).toISO({ includeOffset: true, suppressMilliseconds: true })!;
}

/** One override in klaxon.yaml form: exactly `users` on call for [start, end), instead of everyone. */
export function overrideSpec(users: readonly string[], start: number, end: number, zone: string, note: string): ScheduleOverrideSpec {
  return { users: [...users], start: overrideTime(start, zone), end: overrideTime(end, zone), note: note.slice(0, 500) };
}
