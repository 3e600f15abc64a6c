/**
 * Helpers shared by the per-channel renderers: severity words, what a person can still do about an
 * incident, escaping for HTML / XML / Slack mrkdwn, and length limits. All pure.
 */
import type { PageMessage } from '../types.js';

/** Upper-case severity word for a page ("CRITICAL"); unknown or empty severities read "UNKNOWN". */
export function severityLabel(severity: string): string {
  const s = oneLine(severity).toUpperCase();
  return s === '' ? 'UNKNOWN' : s;
}

/** Which actions still make sense for an incident in the given status. */
export interface AvailableActions {
  ack: boolean;
  resolve: boolean;
}

/** triggered (or any unknown status) -> ack and resolve; acknowledged -> resolve; resolved -> nothing. */
export function availableActions(status: string): AvailableActions {
  switch (status.trim().toLowerCase()) {
    case 'resolved':
      return { ack: false, resolve: false };
    case 'acknowledged':
      return { ack: false, resolve: true };
    default:
      return { ack: true, resolve: true };
  }
}

/** Collapses every run of whitespace (newlines included) to one space and trims. */
export function oneLine(s: string): string {
  return s.replace(/\s+/g, ' ').trim();
}

/** Cuts `s` to at most `max` UTF-16 units, ending with `ellipsis` when cut (never splits a surrogate pair). */
export function truncate(s: string, max: number, ellipsis = '...'): string {
  if (s.length <= max) return s;
  if (max <= ellipsis.length) return ellipsis.slice(0, Math.max(0, max));
  let cut = max - ellipsis.length;
  const code = s.charCodeAt(cut - 1);
  if (code >= 0xd800 && code <= 0xdbff) cut -= 1; // do not leave half a surrogate pair
  return s.slice(0, cut).trimEnd() + ellipsis;
}

/** The first `maxLines` non-empty lines of `s`, each trimmed at the end, total at most `maxChars`. */
export function excerpt(s: string, maxLines: number, maxChars: number): string {
  const lines = s
    .split(/\r?\n/)
    .map((l) => l.trimEnd())
    .filter((l) => l.trim() !== '')
    .slice(0, maxLines);
  return truncate(lines.join('\n'), maxChars);
}

/** Escapes text for HTML element content and double- or single-quoted attribute values. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&#39;');
}

// Characters XML 1.0 forbids outright (C0 controls except tab/newline/CR, lone surrogates, U+FFFE/U+FFFF).
// eslint-disable-next-line no-control-regex -- matching control characters is the point
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Escapes text for XML content or attributes and drops characters XML 1.0 cannot carry at all. */
export function escapeXml(s: string): string {
  return s.replace(XML_INVALID, '').replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** Escapes the three characters Slack mrkdwn treats as control characters (&, <, >). */
export function escapeSlack(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** `url` when it is an absolute http(s) URL, otherwise null (keeps javascript:, data: etc. out of links). */
export function safeUrl(url: string): string | null {
  try {
    const u = new URL(url);
    return u.protocol === 'http:' || u.protocol === 'https:' ? u.toString() : null;
  } catch {
    return null;
  }
}

export { formatUtc } from '../../lib/format.js';

/** One line that names a page: `DRILL #42 CRITICAL checkout-api: DB down` (DRILL only for drills). */
export function pageHeadline(msg: PageMessage): string {
  const drill = msg.drill ? 'DRILL ' : '';
  return `${drill}#${msg.incidentNumber} ${severityLabel(msg.severity)} ${oneLine(msg.serviceName)}: ${oneLine(msg.title)}`;
}

/** "1 alert" / "3 alerts". */
export function alertsPhrase(n: number): string {
  return `${n} alert${n === 1 ? '' : 's'}`;
}
