/**
 * Prometheus Alertmanager webhook (`webhook_configs`, payload `version: "4"`), one AlertEvent per
 * alert in the group. Alertmanager resends the whole group every group/repeat interval, so the events
 * carry stable dedup keys and the alert service makes ingest idempotent.
 *
 * Mapping, per alert:
 * - status firing -> trigger, resolved -> resolve.
 * - dedupKey = `fingerprint`; when it is missing or empty, the first 32 hex characters of the SHA-256
 *   of the labels as JSON with sorted keys (the same labels always give the same key).
 * - summary = annotations.summary, else annotations.description, else labels.alertname (with
 *   " on <instance>" when labels.instance is set), else "<Alertmanager> alert <dedupKey>"; truncated
 *   to 1024 characters.
 * - severity from labels.severity (case-insensitive): critical|page|p1 -> critical,
 *   error|high|major -> error, warning|warn|medium -> warning, info|low|none -> info (plus the other
 *   words severityFromWord knows). A missing or unknown severity is "error": loud enough to be seen,
 *   short of "critical", which should be asked for. The label itself stays in `fields`.
 * - source = labels.instance, else labels.job, else the group's receiver, else "alertmanager".
 * - details = {labels, annotations, startsAt, endsAt, groupKey, externalURL} (the absent ones and Go's
 *   zero time "0001-01-01T00:00:00Z" omitted); fields = labels; occurredAt = startsAt.
 * - links: generatorURL ("Source"), annotations.runbook_url ("Runbook").
 * - raw = the group-level fields with `alerts` holding only this alert.
 *
 * Validation: the body must be an object with an `alerts` array (empty -> no events); each alert must
 * be an object with `status` (firing|resolved) and a `labels` object of strings. Known fields of the
 * wrong type (annotations not an object of strings, startsAt not an RFC 3339 time, ...) are problems
 * too; unknown fields, at either level, are ignored. Every problem is reported at once.
 */
import { createHash } from 'node:crypto';
import type { AlertEvent, AlertLink } from '../alert/types.js';
import {
  type JsonObject,
  Problems,
  at,
  compact,
  fail,
  get,
  isObject,
  link,
  parseIsoTimestamp,
  readArray,
  readEnum,
  readString,
  readStringMap,
  severityFromWord,
  show,
  typeName,
  oneLineSummary,
} from './common.js';

/** Length a summary is truncated to. */
export const MAX_SUMMARY = 1024;
/** Longest fingerprint accepted as a dedup key. */
export const MAX_FINGERPRINT = 255;
/** Go's zero time.Time, which Alertmanager and Grafana send as endsAt of a firing alert. */
const GO_ZERO_TIME = parseIsoTimestamp('0001-01-01T00:00:00Z');

/** What differs between senders of the Alertmanager webhook shape (Alertmanager itself, Grafana). */
export interface WebhookDialect {
  /** Sender name, used in error messages and fallback summaries ("Alertmanager", "Grafana"). */
  name: string;
  /** Source when an alert has no instance or job label and the group no receiver. */
  fallbackSource: string;
  /** Checks the dialect's own group-level fields, recording problems. */
  checkGroup?(body: JsonObject, p: Problems): void;
  /** Checks the dialect's own per-alert fields, recording problems; returns the links and details they add. */
  alertExtras?(alert: JsonObject, path: string, p: Problems): { links: AlertLink[]; details: Record<string, unknown> };
}

/** The Alertmanager dialect: no fields beyond the shared shape. */
export const ALERTMANAGER: WebhookDialect = { name: 'Alertmanager', fallbackSource: 'alertmanager' };

/** Parses an Alertmanager webhook body into one event per alert, or throws an IngestError listing every problem. */
export function parseAlertmanagerWebhook(body: unknown): AlertEvent[] {
  return parseAlertWebhook(body, ALERTMANAGER);
}

/** Group-level fields every alert's event needs. */
interface Group {
  /** The body without `alerts`: the base of each event's raw. */
  fields: JsonObject;
  groupKey: string | undefined;
  externalURL: string | undefined;
  receiver: string | undefined;
}

/** Parses a body of the Alertmanager webhook shape as sent by `dialect`; shared by Alertmanager and Grafana. */
export function parseAlertWebhook(body: unknown, dialect: WebhookDialect): AlertEvent[] {
  const what = `${dialect.name} webhook`;
  if (!isObject(body)) return fail(what, '', `must be a JSON object (got ${typeName(body)})`);
  const p = new Problems();
  const group = readGroup(body, p);
  dialect.checkGroup?.(body, p);
  const alerts = readArray(body, 'alerts', '', p, { required: true }) ?? [];
  const events: AlertEvent[] = [];
  alerts.forEach((alert, i) => {
    const event = alertToEvent(alert, at('alerts', i), group, dialect, p);
    if (event) events.push(event);
  });
  p.throwIfAny(what);
  return events;
}

/** Checks the shared group-level fields. */
function readGroup(body: JsonObject, p: Problems): Group {
  readString(body, 'version', '', p);
  readString(body, 'status', '', p);
  readStringMap(body, 'groupLabels', '', p);
  readStringMap(body, 'commonLabels', '', p);
  readStringMap(body, 'commonAnnotations', '', p);
  const truncated = get(body, 'truncatedAlerts');
  if (truncated !== undefined && truncated !== null && (typeof truncated !== 'number' || !Number.isFinite(truncated))) {
    p.add('truncatedAlerts', `must be a number (got ${typeName(truncated)})`);
  }
  const fields = Object.fromEntries(Object.entries(body).filter(([key]) => key !== 'alerts'));
  return {
    fields,
    groupKey: readString(body, 'groupKey', '', p, { blank: 'absent' }),
    externalURL: readString(body, 'externalURL', '', p, { blank: 'absent' }),
    receiver: readString(body, 'receiver', '', p, { blank: 'absent' }),
  };
}

/** One alert of the group as an event, or undefined (with problems recorded) when it is invalid. */
function alertToEvent(alert: unknown, path: string, group: Group, dialect: WebhookDialect, p: Problems): AlertEvent | undefined {
  if (!isObject(alert)) {
    p.add(path, `must be an object (got ${typeName(alert)})`);
    return undefined;
  }
  const before = p.count;
  const status = readEnum(alert, 'status', path, p, ['firing', 'resolved'], { required: true });
  const labels = readStringMap(alert, 'labels', path, p, { required: true });
  const annotations = readStringMap(alert, 'annotations', path, p) ?? {};
  const startsAt = readTime(alert, 'startsAt', path, p);
  const endsAt = readTime(alert, 'endsAt', path, p);
  const generatorURL = readString(alert, 'generatorURL', path, p, { blank: 'absent' });
  const fingerprint = readString(alert, 'fingerprint', path, p, { blank: 'absent', max: MAX_FINGERPRINT });
  const extras = dialect.alertExtras?.(alert, path, p);
  if (p.count !== before || status === undefined || labels === undefined) return undefined;

  const dedupKey = fingerprint ?? labelsFingerprint(labels);
  const runbook = nonBlank(annotations.runbook_url);
  const links: AlertLink[] = [];
  if (generatorURL !== undefined) links.push(link(generatorURL, 'Source'));
  if (runbook !== undefined) links.push(link(runbook, 'Runbook'));
  links.push(...(extras?.links ?? []));

  const event: AlertEvent = {
    action: status === 'firing' ? 'trigger' : 'resolve',
    dedupKey,
    summary: oneLineSummary(summaryOf(labels, annotations) ?? `${dialect.name} alert ${dedupKey}`, MAX_SUMMARY),
    source: nonBlank(labels.instance) ?? nonBlank(labels.job) ?? group.receiver ?? dialect.fallbackSource,
    severity: severityFromWord(labels.severity ?? '') ?? 'error',
    details: {
      labels,
      annotations,
      ...compact<string>([
        ['startsAt', startsAt?.text],
        ['endsAt', endsAt?.text],
        ['groupKey', group.groupKey],
        ['externalURL', group.externalURL],
      ]),
      ...extras?.details,
    },
    links,
    fields: { ...labels },
    raw: { ...group.fields, alerts: [alert] },
  };
  if (startsAt !== undefined) event.occurredAt = startsAt.ms;
  return event;
}

/** The summary an alert's annotations or labels give, if any. */
function summaryOf(labels: Record<string, string>, annotations: Record<string, string>): string | undefined {
  const text = nonBlank(annotations.summary) ?? nonBlank(annotations.description);
  if (text !== undefined) return text;
  const name = nonBlank(labels.alertname);
  if (name === undefined) return undefined;
  const instance = nonBlank(labels.instance);
  return instance === undefined ? name : `${name} on ${instance}`;
}

/** A stable dedup key for an alert without a fingerprint: SHA-256 of the sorted labels as JSON, 32 hex chars. */
export function labelsFingerprint(labels: Record<string, string>): string {
  const sorted = Object.keys(labels)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${JSON.stringify(labels[key])}`)
    .join(',');
  return createHash('sha256').update(`{${sorted}}`).digest('hex').slice(0, 32);
}

/** An RFC 3339 time field: its text and epoch ms; undefined when absent, empty or Go's zero time. */
function readTime(alert: JsonObject, key: string, path: string, p: Problems): { text: string; ms: number } | undefined {
  const text = readString(alert, key, path, p, { blank: 'absent' });
  if (text === undefined) return undefined;
  const ms = parseIsoTimestamp(text);
  if (ms === undefined) {
    p.add(at(path, key), `must be an RFC 3339 date-time (got ${show(text)})`);
    return undefined;
  }
  return ms === GO_ZERO_TIME ? undefined : { text, ms };
}

function nonBlank(text: string | undefined): string | undefined {
  return text === undefined || text.trim() === '' ? undefined : text;
}
