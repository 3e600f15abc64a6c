/** Local-time helpers for the schedule screens (pure; tested in test/schedule-time.test.ts). */

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** The wall clock of an instant in a zone: year, month (1-12), day, hour, minute, second, weekday (0 Sunday). */
export function wallClock(at: number, timeZone: string): { y: number; mo: number; d: number; h: number; mi: number; s: number; wd: number } {
  const parts = new Intl.DateTimeFormat('en-US', {
    timeZone,
    year: 'numeric',
    month: 'numeric',
    day: 'numeric',
    hour: 'numeric',
    minute: 'numeric',
    second: 'numeric',
    weekday: 'short',
    hourCycle: 'h23',
  }).formatToParts(at);
  const n = (t: string) => Number(parts.find((x) => x.type === t)?.value ?? 0);
  const wd = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'].indexOf(parts.find((x) => x.type === 'weekday')?.value ?? 'Sun');
  return { y: n('year'), mo: n('month'), d: n('day'), h: n('hour') % 24, mi: n('minute'), s: n('second'), wd };
}

/**
 * The instant a wall-clock time (month 1-12; day may overflow) is in a zone, by the server's rule
 * (docs/schedules.md, Time zones and DST): the earliest instant whose wall clock reads at or after
 * it. A time repeated when clocks go back is its first occurrence; a time in the gap when they jump
 * forward is the first instant after the gap.
 */
export function zonedInstant(y: number, mo: number, d: number, h: number, mi: number, timeZone: string): number {
  const wall = Date.UTC(y, mo - 1, d, h, mi);
  const offsetAt = (t: number) => {
    const w = wallClock(t, timeZone);
    return Date.UTC(w.y, w.mo - 1, w.d, w.h, w.mi, w.s) - Math.floor(t / 1000) * 1000;
  };
  const wallOf = (t: number) => t + offsetAt(t);
  const before = offsetAt(wall - 18 * 3_600_000);
  const after = offsetAt(wall + 18 * 3_600_000);
  const valid = [wall - before, wall - after].filter((t) => wallOf(t) === wall);
  if (valid.length) return Math.min(...valid);
  // In a gap: the transition itself, the first instant whose wall clock is past `wall`.
  let lo = Math.min(wall - before, wall - after);
  let hi = Math.max(wall - before, wall - after);
  while (hi - lo > 1000) {
    const mid = Math.floor((lo + hi) / 2000) * 1000;
    if (wallOf(mid) >= wall) hi = mid;
    else lo = mid;
  }
  return hi;
}

/** Midnight of the day holding `at`, in a zone (the browser's when omitted). */
export function startOfDay(at: number, timeZone?: string): number {
  if (timeZone) {
    const w = wallClock(at, timeZone);
    return zonedInstant(w.y, w.mo, w.d, 0, 0, timeZone);
  }
  const d = new Date(at);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** Midnight `n` days after the midnight `day`, in a zone (the browser's when omitted); DST-safe: calendar days, not 24 h. */
export function addDays(day: number, n: number, timeZone?: string): number {
  if (timeZone) {
    const w = wallClock(day, timeZone);
    return zonedInstant(w.y, w.mo, w.d + n, 0, 0, timeZone);
  }
  const d = new Date(day);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n).getTime();
}

/** The midnights from `from` (a midnight) for `days` days, and the end, in a zone (the browser's when omitted). */
export function dayMarks(from: number, days: number, timeZone?: string): number[] {
  const out: number[] = [];
  for (let i = 0; i <= days; i++) out.push(addDays(from, i, timeZone));
  return out;
}

/** "YYYY-MM-DDTHH:MM" for an instant in a time zone (the browser's when omitted), for datetime-local inputs. */
export function toLocalInput(at: number, timeZone?: string): string {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' }).formatToParts(at);
  const p = (t: string) => parts.find((x) => x.type === t)?.value ?? '00';
  return `${p('year')}-${p('month')}-${p('day')}T${p('hour')}:${p('minute')}`;
}

/** "HH:MM" of an instant in a zone. */
export function toLocalTime(at: number, timeZone?: string): string {
  return toLocalInput(at, timeZone).slice(11, 16);
}

/** A datetime-local value read in a zone (the browser's when omitted), or NaN. */
export function fromLocalInput(v: string, timeZone?: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(v);
  if (!m) return Number.NaN;
  if (!timeZone) return new Date(v).getTime();
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return Number.NaN;
  return zonedInstant(y, mo, d, h, mi, timeZone);
}

/** Rounds to the nearest `step` ms. */
export function snap(at: number, step = HOUR / 2): number {
  return Math.round(at / step) * step;
}

/** A span in a zone, e.g. "Mon 2 Mar 09:00 – Mon 9 Mar 09:00". */
export function spanText(start: number, end: number, timeZone?: string): string {
  const f = (t: number) => {
    try {
      return new Intl.DateTimeFormat('en-GB', { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone }).format(t).replace(',', '');
    } catch {
      return new Date(t).toISOString();
    }
  };
  return `${f(start)} – ${f(end)}`;
}

/** Durations are written one way everywhere (lib/duration.ts). */
export { duration } from '../lib/duration.ts';

/** Clips bars to [from, to) and gives their left and width as percentages of the range. */
export function place(start: number, end: number, from: number, to: number): { left: number; width: number } | null {
  const s = Math.max(start, from);
  const e = Math.min(end, to);
  if (e <= s) return null;
  return { left: ((s - from) / (to - from)) * 100, width: ((e - s) / (to - from)) * 100 };
}
