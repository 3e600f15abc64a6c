/**
 * How long something lasted, for people: the one duration format of the web app (reports, schedules,
 * postmortems). The server's texts (lib/format.ts) read the same for what both show.
 */

/**
 * "45 s", "5 min", "1 h 20 min", "2 d 3 h", "7 d"; "—" when unknown. Minutes are rounded; with
 * `seconds`, a duration under an hour keeps its seconds ("5 min 20 s"), as postmortem drafts do.
 */
export function duration(ms: number | null | undefined, opts: { seconds?: boolean } = {}): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  const s = Math.round(Math.abs(ms) / 1000);
  if (s < 60) return `${s} s`;
  if (opts.seconds && s < 3600) return s % 60 ? `${Math.floor(s / 60)} min ${s % 60} s` : `${s / 60} min`;
  const m = Math.round(s / 60);
  if (m < 60) return `${m} min`;
  const h = Math.floor(m / 60);
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`;
  const d = Math.floor(h / 24);
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`;
}
