/**
 * PagerDuty Events API v2: `POST /v2/enqueue` (alert events) and `POST /v2/change/enqueue` (change
 * events), as sent by PagerDuty's client libraries, Alertmanager's `pagerduty_configs` and Grafana's
 * PagerDuty contact point.
 *
 * Rules (PagerDuty's, unless noted):
 * - `routing_key`: required non-empty string; PagerDuty's are 32 characters, Klaxon accepts up to 255.
 * - `event_action`: required, trigger | acknowledge | resolve.
 * - `dedup_key`: string of at most 255 characters. Optional on trigger (absent, null or blank leaves the
 *   event without a key: the alert service generates one); required on acknowledge and resolve.
 * - `payload`: required on trigger, with `summary` (required, non-blank; longer than 1024 characters
 *   is truncated, never rejected), `source` (required, non-blank), `severity` (required, one of
 *   critical | error | warning | info), optional `timestamp` (ISO 8601 -> occurredAt), `component`,
 *   `group`, `class` (strings) and `custom_details` (any JSON -> details; a non-object value is kept
 *   as `details.custom_details`).
 * - On acknowledge/resolve the payload is optional and informational: types are still checked, but a
 *   missing, blank or unknown value falls back to a default (summary = the action, severity "info",
 *   source "") instead of rejecting the event, so a resolve is never lost to a cosmetic field.
 * - `client`/`client_url`: strings; a `client_url` becomes a link "View in <client>".
 * - `links[{href, text?}]` and `images[{src, href?, alt?}]` (an image becomes a link to its `href`,
 *   or to its `src` when it has none, with `alt` as text).
 * - JSON null counts as absent for every optional field. Unknown fields are ignored.
 * Every problem is reported at once (PagerDuty answers with all of them in `errors`).
 */
import type { AlertAction, AlertEvent, AlertLink, AlertSeverity } from '../alert/types.js';
import {
  type JsonObject,
  Problems,
  at,
  compact,
  fail,
  get,
  isMissing,
  isObject,
  link,
  parseIsoTimestamp,
  readArray,
  readEnum,
  readLinks,
  readObject,
  readString,
  show,
  typeName,
  oneLineSummary,
} from './common.js';

/** Longest routing key Klaxon accepts (PagerDuty's own keys are 32 characters). */
export const PD_MAX_ROUTING_KEY = 255;
/** Longest dedup key PagerDuty accepts. */
export const PD_MAX_DEDUP_KEY = 255;
/** Length a summary is truncated to. */
export const PD_MAX_SUMMARY = 1024;

const ACTIONS: readonly AlertAction[] = ['trigger', 'acknowledge', 'resolve'];
const SEVERITIES: readonly AlertSeverity[] = ['critical', 'error', 'warning', 'info'];
const WHAT = 'PagerDuty event';
const WHAT_CHANGE = 'PagerDuty change event';

/** A parsed `/v2/enqueue` request: the integration's routing key and the normalized event. */
export interface PagerDutyEvent {
  routingKey: string;
  event: AlertEvent;
}

/** A PagerDuty change event (a deploy, a config change): context shown beside incidents, never paged. */
export interface ChangeEvent {
  /** Short human summary, at most 1024 characters (truncated). */
  summary: string;
  /** Where the change happened; "" when not given. */
  source: string;
  /** When the change happened (epoch ms), if the sender says. */
  occurredAt?: number;
  /** `payload.custom_details`. */
  details: Record<string, unknown>;
  links: AlertLink[];
  /** The whole request body as received. */
  raw: unknown;
}

/** A parsed `/v2/change/enqueue` request: the integration's routing key and the change event. */
export interface PagerDutyChange {
  routingKey: string;
  change: ChangeEvent;
}

/** Parses a PagerDuty Events API v2 `/v2/enqueue` body, or throws an IngestError listing every problem. */
export function parsePagerDutyEvent(body: unknown): PagerDutyEvent {
  if (!isObject(body)) return fail(WHAT, '', `must be a JSON object (got ${typeName(body)})`);
  const p = new Problems();
  const routingKey = readRoutingKey(body, p);
  const action = readEnum(body, 'event_action', '', p, ACTIONS, { required: true });
  const dedupKey = readString(body, 'dedup_key', '', p, { blank: 'absent', max: PD_MAX_DEDUP_KEY });
  if ((action === 'acknowledge' || action === 'resolve') && dedupKeyMissing(get(body, 'dedup_key'))) {
    p.add('dedup_key', `required for ${action} events`);
  }
  // An unknown action is reported above; its payload is still checked as strictly as a trigger's.
  const strict = action !== 'acknowledge' && action !== 'resolve';
  const payload = readObject(body, 'payload', '', p, { required: action === 'trigger' });
  const content = payload ? readPayload(payload, strict, p) : { details: {}, fields: {} };
  const client = readString(body, 'client', '', p, { blank: 'absent' });
  const clientUrl = readString(body, 'client_url', '', p, { blank: 'absent' });
  const links = [...readLinks(body, 'links', '', p), ...readImages(body, p)];
  if (clientUrl !== undefined) links.push(link(clientUrl, client === undefined ? 'Client' : `View in ${client}`));
  p.throwIfAny(WHAT);

  const resolvedAction = action ?? 'trigger';
  const event: AlertEvent = {
    action: resolvedAction,
    summary: content.summary === undefined ? resolvedAction : oneLineSummary(content.summary, PD_MAX_SUMMARY),
    source: content.source ?? '',
    severity: content.severity ?? 'info',
    details: content.details,
    links,
    fields: content.fields,
    raw: body,
  };
  if (dedupKey !== undefined) event.dedupKey = dedupKey;
  if (content.occurredAt !== undefined) event.occurredAt = content.occurredAt;
  return { routingKey: routingKey as string, event };
}

/** Parses a PagerDuty `/v2/change/enqueue` body, or throws an IngestError listing every problem. */
export function parsePagerDutyChange(body: unknown): PagerDutyChange {
  if (!isObject(body)) return fail(WHAT_CHANGE, '', `must be a JSON object (got ${typeName(body)})`);
  const p = new Problems();
  const routingKey = readRoutingKey(body, p);
  const payload = readObject(body, 'payload', '', p, { required: true });
  // A missing or non-object payload is reported once, at "payload", not once per field.
  const summary =
    payload &&
    readString(payload, 'summary', 'payload', p, {
      required: true,
      blank: 'reject',
    });
  const source = payload && readString(payload, 'source', 'payload', p, { blank: 'absent' });
  const occurredAt = payload && readTimestamp(payload, 'payload', true, p);
  const details = payload ? customDetails(get(payload, 'custom_details')) : {};
  const links = readLinks(body, 'links', '', p);
  p.throwIfAny(WHAT_CHANGE);

  const change: ChangeEvent = { summary: oneLineSummary(summary as string, PD_MAX_SUMMARY), source: source ?? '', details, links, raw: body };
  if (occurredAt !== undefined) change.occurredAt = occurredAt;
  return { routingKey: routingKey as string, change };
}

function readRoutingKey(body: JsonObject, p: Problems): string | undefined {
  return readString(body, 'routing_key', '', p, { required: true, blank: 'reject', max: PD_MAX_ROUTING_KEY });
}

function dedupKeyMissing(value: unknown): boolean {
  return isMissing(value) || (typeof value === 'string' && value.trim() === '');
}

interface PayloadContent {
  summary?: string;
  source?: string;
  severity?: AlertSeverity;
  occurredAt?: number;
  details: Record<string, unknown>;
  fields: Record<string, string>;
}

/** The payload's fields; `strict` (trigger) requires summary/source/severity and rejects bad values. */
function readPayload(payload: JsonObject, strict: boolean, p: Problems): PayloadContent {
  const text = { required: strict, blank: strict ? 'reject' : 'absent' } as const;
  const summary = readString(payload, 'summary', 'payload', p, text); // truncated by oneLineSummary, after collapsing whitespace
  const source = readString(payload, 'source', 'payload', p, text);
  const severity = strict ? readEnum(payload, 'severity', 'payload', p, SEVERITIES, { required: true }) : lenientSeverity(payload, p);
  const occurredAt = readTimestamp(payload, 'payload', strict, p);
  const component = readString(payload, 'component', 'payload', p, { blank: 'absent' });
  const group = readString(payload, 'group', 'payload', p, { blank: 'absent' });
  const klass = readString(payload, 'class', 'payload', p, { blank: 'absent' });
  const fields = compact<string>([
    ['source', source],
    ['component', component],
    ['group', group],
    ['class', klass],
  ]);
  const content: PayloadContent = { details: customDetails(get(payload, 'custom_details')), fields };
  if (summary !== undefined) content.summary = summary;
  if (source !== undefined) content.source = source;
  if (severity !== undefined) content.severity = severity;
  if (occurredAt !== undefined) content.occurredAt = occurredAt;
  return content;
}

/** On acknowledge/resolve: a severity of the wrong type is a problem, an unknown word is ignored. */
function lenientSeverity(payload: JsonObject, p: Problems): AlertSeverity | undefined {
  const value = readString(payload, 'severity', 'payload', p, { blank: 'absent' });
  return value !== undefined && (SEVERITIES as readonly string[]).includes(value) ? (value as AlertSeverity) : undefined;
}

/** `payload.timestamp` as epoch ms; an unparseable one is a problem only when `strict`. */
function readTimestamp(payload: JsonObject, path: string, strict: boolean, p: Problems): number | undefined {
  const text = readString(payload, 'timestamp', path, p, { blank: 'absent' });
  if (text === undefined) return undefined;
  const ms = parseIsoTimestamp(text);
  if (ms === undefined && strict) p.add(at(path, 'timestamp'), `must be an ISO 8601 date-time (got ${show(text)})`);
  return ms;
}

/** `custom_details` as details: an object is copied, any other JSON value is kept under "custom_details". */
function customDetails(value: unknown): Record<string, unknown> {
  if (isMissing(value)) return {};
  if (isObject(value)) return { ...value };
  return { custom_details: value };
}

/** `images[{src, href?, alt?}]` as links. */
function readImages(body: JsonObject, p: Problems): AlertLink[] {
  const list = readArray(body, 'images', '', p);
  if (!list) return [];
  const links: AlertLink[] = [];
  list.forEach((item, i) => {
    const path = at('images', i);
    if (!isObject(item)) {
      p.add(path, `must be an object with "src" (got ${typeName(item)})`);
      return;
    }
    const src = readString(item, 'src', path, p, { required: true, blank: 'reject' });
    const href = readString(item, 'href', path, p, { blank: 'absent' });
    const alt = readString(item, 'alt', path, p, { blank: 'absent' });
    if (src !== undefined) links.push(link(href ?? src, alt));
  });
  return links;
}
