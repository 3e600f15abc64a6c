/**
 * How times and durations read in messages, reports and drafts, in one place so every text agrees.
 * Plain text, English, UTC: for people reading an email, an SMS or a Markdown file.
 */

/** "1 h 5 min", "3 min 20 s", "45 s"; "—" for null (not measured). */
export function formatDuration(ms: number | null): string {
  if (ms === null) return '—';
  const s = Math.round(ms / 1000);
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const sec = s % 60;
  return h ? `${h} h ${m} min` : m ? `${m} min${sec ? ` ${sec} s` : ''}` : `${sec} s`;
}

/** "2026-01-05 09:00 UTC" for a millisecond timestamp (to the minute); empty for an invalid one. */
export function formatUtc(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}

/** "2026-01-05 09:00:30 UTC": to the second, for timelines where order within a minute matters; empty for an invalid one. */
export function formatUtcSeconds(ms: number): string {
  const d = new Date(ms);
  if (Number.isNaN(d.getTime())) return '';
  return `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}
