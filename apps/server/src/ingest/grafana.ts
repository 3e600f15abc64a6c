/**
 * Grafana alerting webhook contact point (Grafana 9+ unified alerting; the body's `version` is "1").
 * Same shape as the Alertmanager webhook, parsed by the same code (alertmanager.ts), plus:
 * - group level: `orgId` (number), `title`, `state`, `message` (strings), kept in each event's raw;
 * - per alert: `silenceURL`, `dashboardURL`, `panelURL`, `imageURL` (links "Silence", "Dashboard",
 *   "Panel", "Image"; Grafana sends "" when there is none), `values` (object or null) and
 *   `valueString` (string), both added to details.
 *
 * Signature (optional; Grafana 11.6+ "HMAC Signature" settings of the webhook contact point): Grafana
 * puts the lower-case hex HMAC-SHA256 of the request body, keyed with the shared secret, in the
 * signature header (`X-Grafana-Alerting-Signature` by default; the header name is configurable).
 * When a timestamp header is configured, Grafana puts the Unix time in seconds in it and signs
 * `<timestamp> + ":" + <body>` instead. See verifyGrafanaSignature.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { AlertEvent, AlertLink } from '../alert/types.js';
import { type WebhookDialect, parseAlertWebhook } from './alertmanager.js';
import { type JsonObject, Problems, at, get, isMissing, isObject, link, readString, typeName } from './common.js';

/** Signature header names tried when none is configured: Grafana's documented default, then the one in its signing code. */
export const GRAFANA_SIGNATURE_HEADERS: readonly string[] = ['x-grafana-alerting-signature', 'x-grafana-alert-signature'];
/** Timestamp header names tried when none is configured (Grafana has no default: these are the names its docs use). */
export const GRAFANA_TIMESTAMP_HEADERS: readonly string[] = ['x-grafana-alerting-signature-timestamp', 'x-grafana-alerting-timestamp'];
/** How far a signed timestamp may be from now, either way, before the request is refused as a replay. */
export const GRAFANA_MAX_SKEW_MS = 5 * 60_000;

/** Per-alert links Grafana adds, with their link text. */
const ALERT_LINKS: readonly (readonly [string, string])[] = [
  ['dashboardURL', 'Dashboard'],
  ['panelURL', 'Panel'],
  ['silenceURL', 'Silence'],
  ['imageURL', 'Image'],
];

/** The Grafana dialect of the Alertmanager webhook shape. */
export const GRAFANA: WebhookDialect = {
  name: 'Grafana',
  fallbackSource: 'grafana',
  checkGroup(body: JsonObject, p: Problems): void {
    const orgId = get(body, 'orgId');
    if (!isMissing(orgId) && (typeof orgId !== 'number' || !Number.isFinite(orgId))) {
      p.add('orgId', `must be a number (got ${typeName(orgId)})`);
    }
    for (const key of ['title', 'state', 'message']) readString(body, key, '', p);
  },
  alertExtras(alert: JsonObject, path: string, p: Problems) {
    const links: AlertLink[] = [];
    for (const [key, text] of ALERT_LINKS) {
      const href = readString(alert, key, path, p, { blank: 'absent' });
      if (href !== undefined) links.push(link(href, text));
    }
    const details: Record<string, unknown> = {};
    const values = get(alert, 'values');
    if (isObject(values)) details.values = { ...values };
    else if (!isMissing(values)) p.add(at(path, 'values'), `must be an object (got ${typeName(values)})`);
    const valueString = readString(alert, 'valueString', path, p, { blank: 'absent' });
    if (valueString !== undefined) details.valueString = valueString;
    return { links, details };
  },
};

/** Parses a Grafana alerting webhook body into one event per alert, or throws an IngestError listing every problem. */
export function parseGrafanaWebhook(body: unknown): AlertEvent[] {
  return parseAlertWebhook(body, GRAFANA);
}

/** Header names to read the signature and timestamp from, when the contact point uses its own. */
export interface GrafanaSignatureOptions {
  /** The contact point's "Header" setting (default: GRAFANA_SIGNATURE_HEADERS). */
  signatureHeader?: string;
  /** The contact point's "Timestamp header" setting (default: GRAFANA_TIMESTAMP_HEADERS). */
  timestampHeader?: string;
}

/**
 * Checks Grafana's optional HMAC-SHA256 webhook signature against the raw request body.
 *
 * - Without a timestamp header: the signature must be hex HMAC-SHA256(secret, body).
 * - With one: the timestamp must be Unix seconds within 5 minutes of `nowMs` (either way: a replayed
 *   old request and a forged future one are both refused), and the signature must be
 *   HMAC-SHA256(secret, timestamp + ":" + body). A body-only signature is then refused: accepting it
 *   would let anyone replay a captured request under a fresh timestamp.
 * Header names are matched case-insensitively; an empty secret, a missing or malformed signature
 * always fails. The comparison is constant-time (crypto.timingSafeEqual).
 */
export function verifyGrafanaSignature(
  rawBody: string | Buffer,
  secret: string,
  headers: Record<string, string | string[] | undefined>,
  nowMs: number,
  options: GrafanaSignatureOptions = {},
): boolean {
  if (secret === '') return false;
  const signature = header(headers, options.signatureHeader ? [options.signatureHeader] : GRAFANA_SIGNATURE_HEADERS);
  if (signature === undefined) return false;
  const provided = signature.trim().toLowerCase();
  if (!/^[0-9a-f]{64}$/.test(provided)) return false;

  const timestamp = header(headers, options.timestampHeader ? [options.timestampHeader] : GRAFANA_TIMESTAMP_HEADERS);
  const body = typeof rawBody === 'string' ? Buffer.from(rawBody, 'utf8') : rawBody;
  const hmac = createHmac('sha256', secret);
  if (timestamp !== undefined) {
    const ts = timestamp.trim();
    if (!/^\d{1,12}$/.test(ts)) return false;
    if (!(Math.abs(nowMs - Number(ts) * 1000) <= GRAFANA_MAX_SKEW_MS)) return false;
    hmac.update(`${ts}:`, 'utf8');
  }
  hmac.update(body);
  return timingSafeEqual(hmac.digest(), Buffer.from(provided, 'hex'));
}

/** The first value of the first of `names` present in `headers` (names compared case-insensitively). */
function header(headers: Record<string, string | string[] | undefined>, names: readonly string[]): string | undefined {
  const wanted = names.map((n) => n.toLowerCase());
  for (const name of wanted) {
    for (const [key, value] of Object.entries(headers)) {
      if (key.toLowerCase() !== name) continue;
      const first = Array.isArray(value) ? value[0] : value;
      if (first !== undefined) return first;
    }
  }
  return undefined;
}
