/** Pure heartbeat arithmetic: when a wait runs out, whether a heartbeat is late, how long it has been silent. */

const MINUTE = 60_000;

/** The window a check-in buys: interval + grace (ms). */
export function windowMs(intervalMinutes: number, graceMinutes: number): number {
  return (intervalMinutes + graceMinutes) * MINUTE;
}

/** When a wait that started at `from` (the last check-in, or creation/enabling) runs out. */
export function dueAt(from: number, intervalMinutes: number, graceMinutes: number): number {
  return from + windowMs(intervalMinutes, graceMinutes);
}

/** Late exactly when more than interval + grace has passed since the last check-in (or since creation/enabling without one). */
export function isLate(h: { lastCheckinAt: number | null; sinceAt: number; intervalMinutes: number; graceMinutes: number }, now: number): boolean {
  const from = Math.max(h.lastCheckinAt ?? h.sinceAt, h.sinceAt);
  return now - from > windowMs(h.intervalMinutes, h.graceMinutes);
}

/** The state shown for a heartbeat: late, else never (no check-in yet), else ok. */
export function heartbeatState(
  h: { enabled: boolean; lastCheckinAt: number | null; sinceAt: number; intervalMinutes: number; graceMinutes: number },
  now: number,
): 'ok' | 'late' | 'never' | 'disabled' {
  if (!h.enabled) return 'disabled';
  if (isLate(h, now)) return 'late';
  return h.lastCheckinAt === null ? 'never' : 'ok';
}

/** A duration in minutes as a title shows it: "45 min" under two hours, else whole hours ("26 h"), else days past 72 h ("4 d"). */
export function spoken(minutes: number): string {
  if (minutes < 120) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  if (hours <= 72) return `${hours} h`;
  return `${Math.floor(hours / 24)} d`;
}

/** The incident title of a miss: "No check-in from nightly-backup for 26 h (expected every 25 h)". */
export function missTitle(name: string, silentMs: number, intervalMinutes: number): string {
  return `No check-in from ${name} for ${spoken(Math.floor(silentMs / MINUTE))} (expected every ${spoken(intervalMinutes)})`;
}
