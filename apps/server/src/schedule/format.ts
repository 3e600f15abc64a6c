import { DateTime } from 'luxon';

/** "Mon 2 Mar 09:00" for instant `t` in `zone`, with the year when it differs from the year of `now` (if given). */
export function formatLocal(t: number, zone: string, now?: number): string {
  const d = DateTime.fromMillis(t, { zone });
  const sameYear = now === undefined || DateTime.fromMillis(now, { zone }).year === d.year;
  return d.toFormat(sameYear ? 'ccc d LLL HH:mm' : 'ccc d LLL yyyy HH:mm');
}

/** "Mon 2 Mar 09:00 to Mon 9 Mar 09:00" (or "from … with no end scheduled"), in `zone`. */
export function formatSpan(start: number, end: number | null, zone: string, now?: number): string {
  return end === null ? `${formatLocal(start, zone, now)} with no end scheduled yet` : `${formatLocal(start, zone, now)} to ${formatLocal(end, zone, now)}`;
}

/** Hours as a short string: "7d 4h", "36h", "1.5h". */
export function formatHours(hours: number): string {
  if (hours >= 72) {
    const d = Math.floor(hours / 24);
    const h = Math.round(hours - d * 24);
    return h ? `${d}d ${h}h` : `${d}d`;
  }
  return `${Number(hours.toFixed(1))}h`;
}
