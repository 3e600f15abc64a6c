/*
 * Grafana OnCall on-call shifts -> Klaxon rotation layers, exactly or not at all.
 *
 * Grafana's semantics (engine/apps/schedules/models/custom_on_call_shift.py and on_call_schedule.py):
 * - `start` is a wall-clock time in the shift's zone (else the schedule's, else UTC); every occurrence
 *   lasts `duration` seconds of wall-clock time from its start.
 * - A recurrence is FREQ=frequency;INTERVAL=interval (BYDAY by_day, WKST week_start). A rolling_users
 *   shift hands each recurrence (for weekly with by_day: each week's set of days) to the next user
 *   group, starting at rolling_users[start_rotation_from_user_index]; the users of a group are on
 *   call together. A recurrent_event shift puts all its users on call at every occurrence.
 * - Recurrences start no later than `until` (an instant read as UTC). Occurrences before
 *   `rotation_start` are not on call, and the first one that is takes the first group.
 * - A schedule's final shifts: overrides first, then levels from highest to lowest; everyone of one
 *   level is on call together; a lower level shows only where no higher one has anybody.
 *
 * A Klaxon layer is "participants take turns of N units from `start` (counting only some weekdays,
 * on call for the first minutes of each turn), optionally limited to weekly windows", so the
 * recurrences that map exactly are those whose occurrences are the turns themselves, the first part
 * of every turn, or the same window inside every turn. Everything else is reported and not imported.
 */
import { DateTime } from 'luxon';
import { localToInstant } from '../../schedule/compute/index.js';
import type { ScheduleLayerSpec } from '../../config/schema.js';
import type { ReportItem } from '../types.js';
import type { GShift } from './api.js';
import { must } from '../../lib/must.js';

const DAYS = ['MO', 'TU', 'WE', 'TH', 'FR', 'SA', 'SU'] as const;
const KLAXON_DAYS = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;
const DAY_S = 86_400;
const WEEK_S = 7 * DAY_S;

export interface ShiftMapping {
  /** Undefined when not imported (items say why), and for an override. */
  layer?: ScheduleLayerSpec;
  /**
   * A one-off override: exactly these people (emails) on call for [start, end) instead of everyone the
   * levels have, as a Klaxon schedule override (overlapping overrides are joined by the caller).
   */
  override?: { users: string[]; start: number; end: number };
  /** Klaxon priority: the Grafana level (0 for an override). */
  priority: number;
  items: ReportItem[];
  /** True when the shift is simply over (a past single event or override): noted, not imported. */
  past?: boolean;
}

/** A floating wall-clock time (luxon in UTC used as a plain calendar). */
function wall(s: string): DateTime | null {
  const d = DateTime.fromISO(s, { zone: 'utc' });
  return d.isValid ? d : null;
}
/** Whether `s` is a valid wall-clock time after `t` (an invalid one is not after anything). */
function wallAfter(s: string, t: DateTime): boolean {
  const w = wall(s);
  return w !== null && w > t;
}
const fmt = (d: DateTime) => d.toFormat("yyyy-MM-dd'T'HH:mm");
const hhmm = (d: DateTime) => d.toFormat('HH:mm');
/** The instant of a wall-clock time in a zone, by Klaxon's rule (the same one the layer will use). */
const instant = (d: DateTime, zone: string) => localToInstant(fmt(d), zone);
const weekdayIndex = (d: DateTime) => d.weekday - 1; // 0 = Monday
/** The weekly window from `s` to `e` (wall times) as a Klaxon restriction. */
const weeklyWindow = (s: DateTime, e: DateTime) => ({
  kind: 'weekly' as const,
  startDay: must(KLAXON_DAYS[weekdayIndex(s)], 'the weekday it starts'),
  startTime: hhmm(s),
  endDay: must(KLAXON_DAYS[weekdayIndex(e)], 'the weekday it ends'),
  endTime: hhmm(e),
});

function participantsOf(groups: string[][]): (string | string[])[] {
  return groups.map((g) => (g.length === 1 ? must(g[0], 'g[0]') : g));
}

/**
 * Maps one shift. `emailOf` resolves Grafana user ids; `zone` is the schedule's zone; `now` decides
 * which single events and overrides are over.
 */
export function mapShift(shift: GShift, scheduleZone: string | null | undefined, emailOf: (id: string) => string | undefined, now: number): ShiftMapping {
  const items: ReportItem[] = [];
  const isOverride = shift.type === 'override';
  const priority = isOverride ? 0 : (shift.level ?? 0);
  const label = shift.name || `${shift.type} ${shift.id}`;
  const no = (why: string): ShiftMapping => ({
    priority,
    items: [...items, { severity: 'not-imported', kind: `on-call shift (${shift.type})`, name: label, id: shift.id, why, instead: 'not imported' }],
  });
  const zone = shift.time_zone || scheduleZone || 'UTC';
  if (!DateTime.local().setZone(zone).isValid) return no(`unknown time zone "${zone}"`);
  if (!['single_event', 'recurrent_event', 'rolling_users', 'override'].includes(shift.type)) return no(`unknown shift type "${shift.type}"`);
  const start = wall(shift.start);
  if (!start) return no(`start "${shift.start}" is not a date-time`);
  if (start.second !== 0 || start.millisecond !== 0) return no('starts at a time with seconds; Klaxon layers start on a whole minute');
  const D = Number(shift.duration);
  if (!Number.isInteger(D) || D <= 0) return no(`duration ${shift.duration} is not a positive number of seconds`);
  if (D % 60 !== 0) return no(`duration ${D} s is not a whole number of minutes`);

  // Who is on call: groups in rotation order.
  let groups: string[][];
  if (shift.type === 'rolling_users' || (isOverride && shift.rolling_users?.length)) {
    const raw = shift.rolling_users ?? [];
    const from = shift.type === 'rolling_users' ? (shift.start_rotation_from_user_index ?? 0) : 0;
    const k = raw.length ? ((from % raw.length) + raw.length) % raw.length : 0;
    groups = [...raw.slice(k), ...raw.slice(0, k)].map((g) => [...g]);
  } else groups = [[...(shift.users ?? [])]];
  const missing = new Set<string>();
  const emailGroups = groups.map((g) => [...new Set(g.map((id) => emailOf(id) ?? (missing.add(id), '')).filter(Boolean))]);
  if (missing.size) return no(`names user(s) ${[...missing].join(', ')} that the users list does not have`);
  if (!emailGroups.length || emailGroups.some((g) => g.length === 0)) return no('has an empty user group (Grafana leaves its turns uncovered; a Klaxon rotation has no empty turns)');

  const name = label.slice(0, 100);
  const oneOff = shift.type === 'single_event' || !shift.frequency;
  if (oneOff) {
    // One occurrence, the first group (Grafana uses only the first group of a shift without frequency).
    const end = start.plus({ seconds: D });
    if (instant(end, zone) <= now) return { priority, items, past: true };
    if (shift.type === 'rolling_users' && emailGroups.length > 1)
      items.push({
        severity: 'note',
        kind: 'on-call shift (rolling_users)',
        name: label,
        id: shift.id,
        why: 'has no frequency: Grafana puts only the first user group on call, once',
        instead: 'imported as that single occurrence',
      });
    if (isOverride) return { priority, items, override: { users: [...must(emailGroups[0], 'emailGroups[0]')].sort(), start: instant(start, zone), end: instant(end, zone) } };
    return {
      priority,
      items,
      layer: {
        name,
        participants: participantsOf([must(emailGroups[0], 'emailGroups[0]')]),
        turn: { unit: 'minute', count: Math.min(10_000, D / 60) },
        timeZone: zone,
        start: fmt(start),
        end: fmt(end),
        ...(priority ? { priority } : {}),
      },
    };
  }
  if (isOverride) return no('a recurring override has no Klaxon equivalent');

  const freq = must(shift.frequency, 'shift.frequency');
  const I = shift.interval ?? 1;
  if (!Number.isInteger(I) || I < 1) return no(`interval ${shift.interval} is not a positive whole number`);
  if (freq === 'monthly') return no('monthly recurrence: Klaxon turns are minutes, hours, days or weeks');
  if (!['hourly', 'daily', 'weekly'].includes(freq)) return no(`unknown frequency "${freq}"`);
  if (shift.by_month?.length) return no('by_month limits the recurrence to some months: no Klaxon equivalent');
  if (shift.by_monthday?.length) return no('by_monthday limits the recurrence to days of the month: no Klaxon equivalent');
  let byDay = shift.by_day?.length ? [...new Set(shift.by_day)] : null;
  if (byDay?.some((d) => !DAYS.includes(d as (typeof DAYS)[number]))) return no(`by_day ${JSON.stringify(shift.by_day)} names an unknown day`);
  if (byDay && byDay.length === 7 && freq === 'daily' && I === 1) byDay = null; // every day: the same as no mask
  const single = emailGroups.length === 1;
  // A daily rotation masked by weekday hands each masked day to the next group (`interval` masked days
  // each): Klaxon day turns counting only those weekdays.
  const maskedDaily = Boolean(byDay && freq === 'daily' && !single);
  if (byDay && freq === 'hourly') return no('an hourly recurrence masked by weekday has no Klaxon equivalent');
  if (byDay && I !== 1 && !maskedDaily) return no(`a ${freq} recurrence every ${I} ${freq === 'daily' ? 'days' : 'weeks'} masked by weekday has no Klaxon equivalent`);
  const weekStart = DAYS.indexOf((shift.week_start ?? 'SU') as (typeof DAYS)[number]);

  const unit = freq === 'hourly' ? 'hour' : freq === 'daily' ? 'day' : 'week';
  const periodS = I * (freq === 'hourly' ? 3600 : freq === 'daily' ? DAY_S : WEEK_S);
  let first = start;
  let onCallMinutes: number | undefined;
  const restrictions: NonNullable<ScheduleLayerSpec['restrictions']> = [];

  if (maskedDaily) {
    const sel = must(byDay, 'byDay').map((d) => DAYS.indexOf(d as (typeof DAYS)[number]));
    if (D > DAY_S) return no('occurrences longer than a day on masked weekdays: no exact Klaxon equivalent');
    if (shift.rotation_start && wallAfter(shift.rotation_start, start)) return no('a weekday-masked daily rotation whose rotation_start is after its start: not reproduced');
    if (!sel.includes(weekdayIndex(first))) {
      const order = Array.from({ length: 7 }, (_, i) => (weekStart + i) % 7).filter((d) => sel.includes(d));
      first = first.plus({ days: (must(order[0], 'order[0]') - weekdayIndex(first) + 7) % 7 });
    }
    for (const d of [...sel].sort((a, b) => a - b)) {
      const s = first.plus({ days: (d - weekdayIndex(first) + 7) % 7 });
      const e = s.plus({ seconds: D });
      restrictions.push(weeklyWindow(s, e));
    }
  } else if (byDay && single) {
    // One group on call at every occurrence: the turns do not matter, only the windows.
    const sel = byDay.map((d) => DAYS.indexOf(d as (typeof DAYS)[number]));
    if (!sel.includes(weekdayIndex(start))) return no(`starts on ${DAYS[weekdayIndex(start)]}, which is not one of its days ${byDay.join(',')}`);
    if (D > DAY_S) return no('occurrences longer than a day on masked weekdays: no exact Klaxon equivalent');
    if (shift.type === 'rolling_users' && shift.rotation_start && wallAfter(shift.rotation_start, start))
      return no('a weekday-masked rotation whose rotation_start is after its start: not reproduced');
    for (const d of [...sel].sort((a, b) => a - b)) {
      const s = start.plus({ days: (d - weekdayIndex(start) + 7) % 7 });
      const e = s.plus({ seconds: D });
      restrictions.push(weeklyWindow(s, e));
    }
  } else if (byDay) {
    const sel = byDay.map((d) => DAYS.indexOf(d as (typeof DAYS)[number]));
    const order = Array.from({ length: 7 }, (_, i) => (weekStart + i) % 7).filter((d) => sel.includes(d));
    const firstDay = must(order[0], 'order[0]');
    if (!sel.includes(weekdayIndex(first))) first = first.plus({ days: (firstDay - weekdayIndex(first) + 7) % 7 });
    if (weekdayIndex(first) !== firstDay)
      return no(
        `starts on ${DAYS[weekdayIndex(first)]}, not on the first masked day of its week (${DAYS[firstDay]} with the week starting ${DAYS[weekStart]}): its first week would hand over on another day than the rest`,
      );
    const offsets = order.map((d) => (d - firstDay + 7) % 7);
    const lastOffset = Math.max(...offsets);
    if (lastOffset * DAY_S + D > WEEK_S) return no("its last masked day runs past the next week's first one: the weeks overlap");
    if (D > DAY_S && sel.length > 1) {
      const sorted = [...offsets].sort((a, b) => a - b);
      for (let i = 1; i < sorted.length; i++) if ((must(sorted[i], 'sorted[i]') - must(sorted[i - 1], 'sorted[i - 1]')) * DAY_S < D) return no('its occurrences on consecutive masked days overlap');
    }
    if (!(lastOffset === 0 && D === WEEK_S)) {
      for (const d of order) {
        const s = first.plus({ days: (d - firstDay + 7) % 7 });
        const e = s.plus({ seconds: D });
        restrictions.push(weeklyWindow(s, e));
      }
    }
    if (shift.rotation_start && shift.rotation_start !== shift.start && wallAfter(shift.rotation_start, start))
      return no('a weekday-masked rotation whose rotation_start is after its start: Grafana skips to another day of the week; not reproduced');
  } else {
    if (D > periodS) return no(`each occurrence (${D / 60} min) is longer than the recurrence (${periodS / 60} min): occurrences overlap`);
    if (D < periodS) {
      if (freq === 'daily' && I === 1) {
        const e = start.plus({ seconds: D });
        restrictions.push({ kind: 'daily', days: [...KLAXON_DAYS], start: hhmm(start), end: hhmm(e) });
      } else if (freq === 'weekly' && I === 1) {
        const e = start.plus({ seconds: D });
        restrictions.push(weeklyWindow(start, e));
      } else
        // A window that repeats every I units: the first D of each turn is on call.
        onCallMinutes = D / 60;
    }
    // rotation_start after start: occurrences before it are not on call, and the first one after takes the first group.
    // (recurrent_event shifts ignore rotation_start in Grafana.)
    const rs = shift.type === 'rolling_users' && shift.rotation_start ? wall(shift.rotation_start) : null;
    if (rs && rs > start) {
      if (freq === 'weekly' && weekdayIndex(start) !== weekStart)
        return no(
          `rotation_start is after start and the weekly rotation starts on ${DAYS[weekdayIndex(start)]}, not on its week start ${DAYS[weekStart]}: Grafana moves such rotations to the week start day; not reproduced`,
        );
      let r = 0;
      const occ = (j: number) => (freq === 'hourly' ? start.plus({ hours: j * I }) : freq === 'daily' ? start.plus({ days: j * I }) : start.plus({ weeks: j * I }));
      while (occ(r).plus({ seconds: D }) <= rs && r < 1_000_000) r++;
      if (occ(r) < rs)
        items.push({
          severity: 'note',
          kind: `on-call shift (${shift.type})`,
          name: label,
          id: shift.id,
          why: `rotation_start ${shift.rotation_start} falls inside an occurrence: Grafana counts it from that occurrence for shifts made in its web UI, from the next one for shifts made through its API (the API does not say which)`,
          instead: 'imported as a web UI shift (the occurrence under way at rotation_start is on call)',
        });
      first = occ(r);
      const k = r % emailGroups.length;
      emailGroups.push(...emailGroups.splice(0, k));
    }
  }

  if (freq === 'hourly' && zoneHasDst(zone))
    items.push({
      severity: 'changed',
      kind: `on-call shift (${shift.type})`,
      name: label,
      id: shift.id,
      why: `an hourly recurrence in ${zone}, which changes clocks: Grafana repeats it at the same wall-clock times`,
      instead: 'imported with Klaxon hour turns, which are absolute hours: after a clock change hand-offs are an hour off wall-clock time',
    });

  let end: string | undefined;
  if (shift.until) {
    const untilAt = Date.parse(`${shift.until.replace(/Z$/, '')}Z`);
    if (Number.isNaN(untilAt)) return no(`until "${shift.until}" is not a date-time`);
    const last = lastOccurrenceEnd(first, D, freq, I, byDay, zone, untilAt);
    if (last === null) {
      if (untilAt < instant(first, zone)) return { priority, items, past: true };
    } else end = fmt(last);
  }
  if (end && localToInstant(end, zone) <= now) return { priority, items, past: true };
  if (I > 10_000) return no(`interval ${I} is longer than Klaxon's longest turn (10,000 ${unit}s)`);

  const layer: ScheduleLayerSpec = {
    name,
    participants: participantsOf(emailGroups),
    turn: maskedDaily
      ? { unit, count: I, weekdays: KLAXON_DAYS.filter((_, i) => must(byDay, 'byDay').includes(must(DAYS[i], 'DAYS[i]'))) }
      : { unit, count: I, ...(onCallMinutes ? { onCallMinutes } : {}) },
    ...(unit !== 'hour' ? { handoffTime: hhmm(first) } : {}),
    timeZone: zone,
    start: fmt(first),
    ...(end ? { end } : {}),
    ...(restrictions.length ? { restrictions } : {}),
    ...(priority ? { priority } : {}),
  };
  return { priority, items, layer };
}

/** The end (wall-clock) of the last occurrence that starts no later than `untilAt`, or null if none does. */
function lastOccurrenceEnd(first: DateTime, D: number, freq: string, I: number, byDay: string[] | null, zone: string, untilAt: number): DateTime | null {
  let last: DateTime | null = null;
  if (byDay) {
    const sel = new Set(byDay.map((d) => DAYS.indexOf(d as (typeof DAYS)[number])));
    for (let d = first, n = 0; n < 200_000; d = d.plus({ days: 1 }), n++) {
      if (instant(d, zone) > untilAt) break;
      if (sel.has(weekdayIndex(d))) last = d;
    }
  } else {
    for (let j = 0; j < 1_000_000; j++) {
      const d = freq === 'hourly' ? first.plus({ hours: j * I }) : freq === 'daily' ? first.plus({ days: j * I }) : first.plus({ weeks: j * I });
      if (instant(d, zone) > untilAt) break;
      last = d;
    }
  }
  return last ? last.plus({ seconds: D }) : null;
}

function zoneHasDst(zone: string): boolean {
  const jan = DateTime.fromObject({ year: 2026, month: 1, day: 1 }, { zone }).offset;
  const jul = DateTime.fromObject({ year: 2026, month: 7, day: 1 }, { zone }).offset;
  return jan !== jul;
}
