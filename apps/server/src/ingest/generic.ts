/**
 * Klaxon's own generic JSON event format, for scripts, cron jobs and tools with a "POST JSON to a URL"
 * hook. One event is a JSON object; a batch is a JSON array of at most 100 of them.
 *
 * ```jsonc
 * {
 *   "action": "trigger",            // optional: "trigger" (default) | "acknowledge" | "resolve"
 *   "dedup_key": "disk-full/db-1",  // optional on trigger (Klaxon generates one), required otherwise;
 *                                   //   at most 255 characters; "dedupKey" is accepted as a synonym
 *   "summary": "Disk 95% full on db-1", // required on trigger ("title" is accepted as a synonym);
 *                                   //   longer than 1024 characters is truncated
 *   "source": "db-1",               // optional: where it happened (host, service, job); default ""
 *   "severity": "critical",         // optional, default "error": critical | error | warning | info,
 *                                   //   or a common word, case-insensitive: crit, page, fatal, p1,
 *                                   //   sev1 -> critical; err, high, major, p2 -> error; warn, medium,
 *                                   //   minor, p3 -> warning; information, low, notice, none, p4, p5
 *                                   //   -> info. Any other word is refused (so typos show).
 *   "timestamp": "2024-05-01T12:00:00Z", // optional: when it happened, ISO 8601 text or epoch ms
 *   "details": { "used": "95%" },   // optional: any JSON object, shown with the alert
 *   "links": [{ "href": "https://grafana/d/db", "text": "Dashboard" }], // optional; text optional
 *   "fields": { "team": "storage" } // optional: flat string fields services can group and route by
 * }
 * ```
 *
 * Rules: JSON null counts as absent; unknown fields are ignored (so senders can add their own); if
 * both `dedup_key` and `dedupKey` are given they must be equal; if both `summary` and `title` are
 * given, `summary` is used. On acknowledge/resolve the summary defaults to the action's name. In a
 * batch, problems are reported with the event's index ("[3].severity: ..."), all at once; one bad
 * event rejects the whole batch, so a retry never duplicates the good ones.
 */
import type { AlertAction, AlertEvent, AlertSeverity } from '../alert/types.js';
import {
  type JsonObject,
  Problems,
  at,
  fail,
  get,
  isMissing,
  isObject,
  readEnum,
  readLinks,
  readObject,
  readString,
  readStringMap,
  parseIsoTimestamp,
  severityFromWord,
  show,
  typeName,
  oneLineSummary,
} from './common.js';

/** Most events one request may carry. */
export const GENERIC_MAX_BATCH = 100;
/** Longest dedup key accepted. */
export const GENERIC_MAX_DEDUP_KEY = 255;
/** Length a summary is truncated to. */
export const GENERIC_MAX_SUMMARY = 1024;

const ACTIONS: readonly AlertAction[] = ['trigger', 'acknowledge', 'resolve'];
const WHAT = 'event';

/** Parses one generic event object or a batch array of them into events, or throws an IngestError listing every problem. */
export function parseGenericEvents(body: unknown): AlertEvent[] {
  if (Array.isArray(body)) {
    if (body.length > GENERIC_MAX_BATCH) {
      return fail(WHAT, '', `a batch holds at most ${GENERIC_MAX_BATCH} events (got ${body.length})`);
    }
    const p = new Problems();
    const events = body.map((item, i) => readEvent(item, at('', i), p));
    p.throwIfAny(WHAT);
    return events as AlertEvent[];
  }
  if (!isObject(body)) {
    return fail(WHAT, '', `must be an event object or an array of at most ${GENERIC_MAX_BATCH} (got ${typeName(body)})`);
  }
  const p = new Problems();
  const event = readEvent(body, '', p);
  p.throwIfAny(WHAT);
  return [event as AlertEvent];
}

/** One event at `path`, or undefined with its problems recorded. */
function readEvent(item: unknown, path: string, p: Problems): AlertEvent | undefined {
  if (!isObject(item)) {
    p.add(path, `must be an event object (got ${typeName(item)})`);
    return undefined;
  }
  const before = p.count;
  const action = readEnum(item, 'action', path, p, ACTIONS) ?? 'trigger';
  const dedupKey = readDedupKey(item, path, action, p);
  const summary = readSummary(item, path, action, p);
  const source = readString(item, 'source', path, p) ?? '';
  const severity = readSeverity(item, path, p);
  const occurredAt = readTimestamp(item, path, p);
  const details = readObject(item, 'details', path, p);
  const links = readLinks(item, 'links', path, p);
  const fields = readStringMap(item, 'fields', path, p) ?? {};
  if (p.count !== before) return undefined;

  const event: AlertEvent = {
    action,
    summary: summary === undefined ? action : oneLineSummary(summary, GENERIC_MAX_SUMMARY),
    source,
    severity,
    details: details ? { ...details } : {},
    links,
    fields,
    raw: item,
  };
  if (dedupKey !== undefined) event.dedupKey = dedupKey;
  if (occurredAt !== undefined) event.occurredAt = occurredAt;
  return event;
}

/** `dedup_key` (or its synonym `dedupKey`); required unless the action is trigger. */
function readDedupKey(item: JsonObject, path: string, action: AlertAction, p: Problems): string | undefined {
  const rule = { blank: 'absent', max: GENERIC_MAX_DEDUP_KEY } as const;
  const snake = readString(item, 'dedup_key', path, p, rule);
  const camel = readString(item, 'dedupKey', path, p, rule);
  if (snake !== undefined && camel !== undefined && snake !== camel) {
    p.add(at(path, 'dedupKey'), 'differs from dedup_key: give one of them');
  }
  const absent = [get(item, 'dedup_key'), get(item, 'dedupKey')].every((v) => isMissing(v) || isBlankString(v));
  if (action !== 'trigger' && absent) p.add(at(path, 'dedup_key'), `required for ${action} events`);
  return snake ?? camel;
}

function isBlankString(value: unknown): boolean {
  return typeof value === 'string' && value.trim() === '';
}

/** `summary` (or its synonym `title`), required on trigger, truncated to 1024. */
function readSummary(item: JsonObject, path: string, action: AlertAction, p: Problems): string | undefined {
  const rule = { blank: 'reject' } as const; // truncated by oneLineSummary, after collapsing whitespace
  const summary = readString(item, 'summary', path, p, rule);
  const title = readString(item, 'title', path, p, rule);
  if (action === 'trigger' && isMissing(get(item, 'summary')) && isMissing(get(item, 'title'))) {
    p.add(at(path, 'summary'), 'required (or "title")');
  }
  return summary ?? title;
}

/** `severity`: one of Klaxon's four or a common word; default "error". */
function readSeverity(item: JsonObject, path: string, p: Problems): AlertSeverity {
  const word = readString(item, 'severity', path, p, { blank: 'absent' });
  if (word === undefined) return 'error';
  const severity = severityFromWord(word);
  if (severity === undefined) {
    p.add(at(path, 'severity'), `must be critical, error, warning, info or a common synonym (got ${show(word)})`);
  }
  return severity ?? 'error';
}

/** `timestamp`: ISO 8601 text or epoch milliseconds. */
function readTimestamp(item: JsonObject, path: string, p: Problems): number | undefined {
  const value = get(item, 'timestamp');
  const where = at(path, 'timestamp');
  if (isMissing(value)) return undefined;
  if (typeof value === 'number') {
    if (Number.isFinite(value) && Math.abs(value) <= 8.64e15) return value;
    p.add(where, `must be a valid epoch milliseconds number (got ${show(value)})`);
    return undefined;
  }
  if (typeof value !== 'string') {
    p.add(where, `must be an ISO 8601 string or epoch milliseconds (got ${typeName(value)})`);
    return undefined;
  }
  const ms = parseIsoTimestamp(value);
  if (ms === undefined) p.add(where, `must be an ISO 8601 date-time (got ${show(value)})`);
  return ms;
}
