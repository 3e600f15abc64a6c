/** "just now", "4 min ago", "3 h ago", "2 d ago" relative to `now`. */
export function ago(at: number, now: number = Date.now()): string {
  const s = Math.max(0, Math.round((now - at) / 1000));
  if (s < 45) return 'just now';
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min ago`;
  const h = Math.round(m / 60);
  if (h < 48) return `${h} h ago`;
  return `${Math.round(h / 24)} d ago`;
}

/** A date and time in a time zone (the viewer's by default), e.g. "Mon 2 Mar, 09:00". */
export function dateTime(at: number, timeZone?: string): string {
  try {
    return new Intl.DateTimeFormat(undefined, { weekday: 'short', day: 'numeric', month: 'short', hour: '2-digit', minute: '2-digit', timeZone }).format(at);
  } catch {
    return new Date(at).toISOString();
  }
}

/** A time of day in a time zone, e.g. "09:05". */
export function timeOfDay(at: number, timeZone?: string): string {
  try {
    return new Intl.DateTimeFormat(undefined, { hour: '2-digit', minute: '2-digit', timeZone }).format(at);
  } catch {
    return new Date(at).toISOString().slice(11, 16);
  }
}

/** "+0 min", "+5 min", "+1 h 30 min". */
export function offset(minutes: number): string {
  if (minutes < 60) return `+${minutes} min`;
  const h = Math.floor(minutes / 60);
  const m = minutes % 60;
  return m ? `+${h} h ${m} min` : `+${h} h`;
}

/** The browser's IANA time zone. */
export function localTimeZone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
  } catch {
    return 'UTC';
  }
}

/** Every IANA time zone the browser knows (for pickers). */
export function timeZones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (k: string) => string[] };
  let zones: string[];
  try {
    zones = intl.supportedValuesOf?.('timeZone') ?? [localTimeZone()];
  } catch {
    zones = [localTimeZone()];
  }
  // Chromium's list has no "UTC" (only Etc/ zones): offer it first, once (issue 20).
  return ['UTC', ...zones.filter((z) => z !== 'UTC')];
}
