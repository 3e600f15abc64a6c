/** Local-time helpers for the schedule screens (pure; tested in test/schedule-time.test.ts). */

export const HOUR = 3_600_000;
export const DAY = 24 * HOUR;

/** Midnight (browser zone) of the day holding `at`. */
export function startOfDay(at: number): number {
  const d = new Date(at);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime();
}

/** Midnight `n` local days after the midnight `day` (DST-safe: calendar days, not 24 h). */
export function addDays(day: number, n: number): number {
  const d = new Date(day);
  return new Date(d.getFullYear(), d.getMonth(), d.getDate() + n).getTime();
}

/** The local midnights from `from` (a midnight) for `days` days, and the end. */
export function dayMarks(from: number, days: number): number[] {
  const out: number[] = [];
  for (let i = 0; i <= days; i++) out.push(addDays(from, i));
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

/** A datetime-local value read in the browser's zone, or NaN. */
export function fromLocalInput(v: string): number {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(v)) return Number.NaN;
  return new Date(v).getTime();
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
