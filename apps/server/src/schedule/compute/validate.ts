import type { FieldError } from '../../lib/errors.js';
import type { Weekday } from './types.js';
import { WEEKDAYS } from './types.js';
import { PRESETS } from './restrictions.js';
import { WEEK_MINUTES, isValidZone, parseTime } from './zone.js';

type Obj = Record<string, unknown>;

const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const isInstant = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
const isId = (v: unknown): v is string => typeof v === 'string' && v.trim().length > 0;
const isWeekday = (v: unknown): v is Weekday => typeof v === 'string' && (WEEKDAYS as readonly string[]).includes(v);
const TURN_UNITS = ['second', 'minute', 'hour', 'day', 'week'];

class Errors {
  readonly list: FieldError[] = [];
  add(path: string, message: string): void {
    this.list.push({ path, message });
  }
}

function checkSpan(e: Errors, path: string, v: Obj): void {
  if (!isInstant(v.start)) e.add(`${path}.start`, 'must be an instant in epoch milliseconds');
  if (!isInstant(v.end)) e.add(`${path}.end`, 'must be an instant in epoch milliseconds');
  else if (isInstant(v.start) && v.end <= v.start) e.add(`${path}.end`, 'must be after start');
}

function checkTime(e: Errors, path: string, v: unknown, allow24: boolean): number | null {
  const m = parseTime(v, allow24);
  if (m === null) e.add(path, allow24 ? 'must be a time "HH:MM" (00:00 to 24:00)' : 'must be a time "HH:MM" (00:00 to 23:59)');
  return m;
}

function checkWeekday(e: Errors, path: string, v: unknown): number | null {
  if (!isWeekday(v)) {
    e.add(path, `must be one of ${WEEKDAYS.join(', ')}`);
    return null;
  }
  return WEEKDAYS.indexOf(v);
}

function checkRestriction(e: Errors, path: string, r: unknown): void {
  if (!isObj(r)) return e.add(path, 'must be an object');
  switch (r.kind) {
    case 'preset':
      if (typeof r.preset !== 'string' || !Object.hasOwn(PRESETS, r.preset)) {
        e.add(`${path}.preset`, `must be one of ${Object.keys(PRESETS).join(', ')}`);
      }
      return;
    case 'daily': {
      if (!Array.isArray(r.days) || r.days.length === 0) e.add(`${path}.days`, 'must list at least one day');
      else r.days.forEach((d, i) => checkWeekday(e, `${path}.days.${i}`, d));
      const s = checkTime(e, `${path}.start`, r.start, false);
      const t = checkTime(e, `${path}.end`, r.end, true);
      if (s !== null && t !== null && s === t % 1440) e.add(`${path}.end`, 'must differ from start');
      return;
    }
    case 'weekly': {
      const sd = checkWeekday(e, `${path}.startDay`, r.startDay);
      const st = checkTime(e, `${path}.startTime`, r.startTime, false);
      const ed = checkWeekday(e, `${path}.endDay`, r.endDay);
      const et = checkTime(e, `${path}.endTime`, r.endTime, true);
      if (sd !== null && st !== null && ed !== null && et !== null && (ed * 1440 + et) % WEEK_MINUTES === sd * 1440 + st) {
        e.add(`${path}.endTime`, 'must differ from the start (a window of a whole week or none is not a restriction)');
      }
      return;
    }
    default:
      e.add(`${path}.kind`, 'must be one of preset, daily, weekly');
  }
}

function checkLayer(e: Errors, path: string, l: unknown): void {
  if (!isObj(l)) return e.add(path, 'must be an object');
  if (l.name !== undefined && typeof l.name !== 'string') e.add(`${path}.name`, 'must be a string');
  if (l.timeZone !== undefined && !isValidZone(l.timeZone)) e.add(`${path}.timeZone`, 'must be an IANA time zone name');
  if (!Array.isArray(l.participants) || l.participants.length === 0) {
    e.add(`${path}.participants`, 'must list at least one participant');
  } else {
    l.participants.forEach((p: unknown, i) => {
      const pp = `${path}.participants.${i}`;
      if (typeof p === 'string') {
        if (!isId(p)) e.add(pp, 'must be a non-empty user id');
      } else if (Array.isArray(p)) {
        // An empty group is a turn nobody covers (a gap by design).
        if (!p.every(isId)) e.add(pp, 'a group must hold non-empty user ids');
        else if (new Set(p).size !== p.length) e.add(pp, 'a group must not repeat a user id');
      } else e.add(pp, 'must be a user id or a list of user ids');
    });
  }
  const turn = l.turn;
  let absolute = false;
  if (!isObj(turn)) e.add(`${path}.turn`, 'must be an object {unit, count}');
  else {
    if (typeof turn.unit !== 'string' || !TURN_UNITS.includes(turn.unit)) e.add(`${path}.turn.unit`, `must be one of ${TURN_UNITS.join(', ')}`);
    else absolute = turn.unit === 'second' || turn.unit === 'minute' || turn.unit === 'hour';
    if (typeof turn.count !== 'number' || !Number.isInteger(turn.count) || turn.count <= 0) {
      e.add(`${path}.turn.count`, 'must be a positive whole number');
    }
    if (turn.weekdays !== undefined) {
      const w = turn.weekdays;
      if (turn.unit !== 'day') e.add(`${path}.turn.weekdays`, 'only applies to day turns');
      else if (!Array.isArray(w) || w.length === 0 || w.length > 7) e.add(`${path}.turn.weekdays`, 'must list 1 to 7 weekdays (mon ... sun)');
      else if (!w.every((d) => typeof d === 'string' && (WEEKDAYS as readonly string[]).includes(d))) e.add(`${path}.turn.weekdays`, 'must list weekdays mon, tue, wed, thu, fri, sat, sun');
      else if (new Set(w).size !== w.length) e.add(`${path}.turn.weekdays`, 'must not repeat a weekday');
    }
    if (turn.onCallMinutes !== undefined) {
      const m = turn.onCallMinutes;
      const unitMinutes = turn.unit === 'minute' ? 1 : turn.unit === 'hour' ? 60 : turn.unit === 'day' ? 1440 : 10_080;
      const length = typeof turn.count === 'number' ? turn.count * unitMinutes : Infinity;
      if (typeof m !== 'number' || !Number.isInteger(m) || m < 1 || m > length) e.add(`${path}.turn.onCallMinutes`, `must be a whole number of minutes from 1 to the turn length (${length})`);
    }
  }
  if (l.handoffTime !== undefined) {
    checkTime(e, `${path}.handoffTime`, l.handoffTime, false);
    if (absolute) e.add(`${path}.handoffTime`, 'only applies to day and week turns (hour turns hand off every N hours from start)');
  }
  if (!isInstant(l.start)) e.add(`${path}.start`, 'must be an instant in epoch milliseconds');
  if (l.rotationStart !== undefined) {
    if (!isInstant(l.rotationStart)) e.add(`${path}.rotationStart`, 'must be an instant in epoch milliseconds');
    else if (isInstant(l.start) && l.rotationStart > l.start) e.add(`${path}.rotationStart`, 'must be at or before start');
  }
  if (l.end !== undefined) {
    if (!isInstant(l.end)) e.add(`${path}.end`, 'must be an instant in epoch milliseconds');
    else if (isInstant(l.start) && l.end <= l.start) e.add(`${path}.end`, 'must be after start');
  }
  if (l.priority !== undefined && !isInstant(l.priority)) e.add(`${path}.priority`, 'must be a number');
  if (l.restrictions !== undefined) {
    if (!Array.isArray(l.restrictions)) e.add(`${path}.restrictions`, 'must be a list');
    else l.restrictions.forEach((r: unknown, i) => checkRestriction(e, `${path}.restrictions.${i}`, r));
  }
}

/** Field errors of a schedule spec (empty when valid); compute functions assume a valid spec. */
export function validateScheduleSpec(spec: unknown): FieldError[] {
  const e = new Errors();
  if (!isObj(spec)) {
    e.add('(root)', 'must be an object');
    return e.list;
  }
  if (!isValidZone(spec.timeZone)) e.add('timeZone', 'must be an IANA time zone name');
  if (spec.layering !== undefined && spec.layering !== 'precedence' && spec.layering !== 'union') e.add('layering', 'must be precedence or union');
  if (!Array.isArray(spec.layers)) e.add('layers', 'must be a list');
  else spec.layers.forEach((l: unknown, i) => checkLayer(e, `layers.${i}`, l));
  if (spec.overrides !== undefined) {
    if (!Array.isArray(spec.overrides)) e.add('overrides', 'must be a list');
    else {
      const ids = new Set<string>();
      spec.overrides.forEach((o: unknown, i) => {
        const path = `overrides.${i}`;
        if (!isObj(o)) return e.add(path, 'must be an object');
        if (!isId(o.id)) e.add(`${path}.id`, 'must be a non-empty string');
        else if (ids.has(o.id)) e.add(`${path}.id`, 'must be unique');
        else ids.add(o.id);
        if (!Array.isArray(o.userIds) || o.userIds.length === 0 || !o.userIds.every(isId)) {
          e.add(`${path}.userIds`, 'must list at least one user id');
        }
        checkSpan(e, path, o);
      });
    }
  }
  if (spec.leave !== undefined) {
    if (!Array.isArray(spec.leave)) e.add('leave', 'must be a list');
    else {
      spec.leave.forEach((l: unknown, i) => {
        const path = `leave.${i}`;
        if (!isObj(l)) return e.add(path, 'must be an object');
        if (!isId(l.userId)) e.add(`${path}.userId`, 'must be a non-empty user id');
        checkSpan(e, path, l);
      });
    }
  }
  return e.list;
}
