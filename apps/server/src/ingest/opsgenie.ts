/**
 * Opsgenie Alert API v2, as Klaxon accepts it from tools that speak Opsgenie:
 * `POST /v2/alerts` (create), `POST /v2/alerts/{identifier}/acknowledge|close?identifierType=id|alias|tiny`,
 * authenticated with `Authorization: GenieKey <key>`.
 *
 * Field limits are Opsgenie's documented ones ("limited to N characters"). Opsgenie's docs state the
 * limits but not what happens past them, and senders (Alertmanager's opsgenie_configs, Kibana's
 * connector) truncate before sending; Klaxon's alert contract says text is truncated, never rejected
 * for length. So free text is truncated to its limit: message 130, description 15000, entity 512,
 * source 100, user 100, note 25000. The one exception is `alias`, the dedup key: cutting it could
 * merge two different alerts, so an alias over 512 characters is rejected.
 *
 * Create mapping:
 * - action trigger; dedupKey = alias (absent -> undefined: the service generates one);
 * - summary = message (required, non-blank, truncated to 130);
 * - severity from priority (P1..P5, default P3): P1 -> critical, P2 -> error, P3 -> warning, P4/P5 -> info;
 * - source = entity (the server or application the alert is about), else source (the sending tool), else "";
 * - details = {description, details (the custom properties), tags, responders, visibleTo, actions,
 *   priority, entity, source, user, note}, absent ones omitted;
 * - fields = the custom properties plus entity, source and priority (these three win on a clash);
 * - `details` values must be strings (numbers and booleans are accepted as their text, as Opsgenie's
 *   JSON binding does); `tags` and `actions` arrays of strings; `responders` and `visibleTo` arrays of
 *   {type, id|name|username} objects.
 * JSON null counts as absent. Unknown fields are ignored. Every problem is reported at once.
 */
import type { AlertEvent, AlertSeverity } from '../alert/types.js';
import { type JsonObject, Problems, at, compact, fail, isMissing, isObject, readArray, readEnum, readString, readStringArray, readStringMap, show, typeName, oneLineSummary } from './common.js';

/** Opsgenie's documented length limits (characters). */
export const OPSGENIE_LIMITS = {
  message: 130,
  alias: 512,
  description: 15_000,
  entity: 512,
  source: 100,
  user: 100,
  note: 25_000,
} as const;

/** Opsgenie's alert priorities, highest first. */
export type OpsgeniePriority = 'P1' | 'P2' | 'P3' | 'P4' | 'P5';
const PRIORITIES: readonly OpsgeniePriority[] = ['P1', 'P2', 'P3', 'P4', 'P5'];

/** How each Opsgenie priority maps onto Klaxon's severities. */
export const OPSGENIE_PRIORITY_SEVERITY: Readonly<Record<OpsgeniePriority, AlertSeverity>> = {
  P1: 'critical',
  P2: 'error',
  P3: 'warning',
  P4: 'info',
  P5: 'info',
};

/** The kinds of identifier `/v2/alerts/{identifier}/...` takes. */
export type OpsgenieIdentifierType = 'id' | 'alias' | 'tiny';
const IDENTIFIER_TYPES: readonly OpsgenieIdentifierType[] = ['id', 'alias', 'tiny'];

/** An alert identifier from a URL, with its kind. */
export interface OpsgenieIdentifier {
  type: OpsgenieIdentifierType;
  value: string;
}

/** The optional body of an acknowledge or close request. */
export interface OpsgenieActionBody {
  user?: string;
  source?: string;
  note?: string;
}

const RESPONDER_TYPES = ['team', 'user', 'escalation', 'schedule'] as const;
const VISIBLE_TO_TYPES = ['team', 'user'] as const;

/** Parses an Opsgenie create-alert body into a trigger event, or throws an IngestError listing every problem. */
export function parseOpsgenieCreate(body: unknown): AlertEvent {
  const what = 'Opsgenie alert';
  if (!isObject(body)) return fail(what, '', `must be a JSON object (got ${typeName(body)})`);
  const p = new Problems();
  const L = OPSGENIE_LIMITS;
  const message = readString(body, 'message', '', p, { required: true, blank: 'reject' }); // truncated by oneLineSummary, after collapsing whitespace
  const alias = readString(body, 'alias', '', p, { blank: 'absent', max: L.alias });
  const description = readString(body, 'description', '', p, { blank: 'absent', max: L.description, truncate: true });
  const entity = readString(body, 'entity', '', p, { blank: 'absent', max: L.entity, truncate: true });
  const source = readString(body, 'source', '', p, { blank: 'absent', max: L.source, truncate: true });
  const user = readString(body, 'user', '', p, { blank: 'absent', max: L.user, truncate: true });
  const note = readString(body, 'note', '', p, { blank: 'absent', max: L.note, truncate: true });
  const priority = readEnum(body, 'priority', '', p, PRIORITIES) ?? 'P3';
  const tags = readStringArray(body, 'tags', '', p);
  const actions = readStringArray(body, 'actions', '', p);
  const properties = readStringMap(body, 'details', '', p, { scalars: true });
  const responders = readRecipients(body, 'responders', RESPONDER_TYPES, p);
  const visibleTo = readRecipients(body, 'visibleTo', VISIBLE_TO_TYPES, p);
  p.throwIfAny(what);

  const event: AlertEvent = {
    action: 'trigger',
    summary: oneLineSummary(message as string, L.message),
    source: entity ?? source ?? '',
    severity: OPSGENIE_PRIORITY_SEVERITY[priority],
    details: compact<unknown>([
      ['description', description],
      ['details', properties],
      ['tags', tags],
      ['responders', responders],
      ['visibleTo', visibleTo],
      ['actions', actions],
      ['priority', priority],
      ['entity', entity],
      ['source', source],
      ['user', user],
      ['note', note],
    ]),
    links: [],
    fields: {
      ...properties,
      ...compact<string>([
        ['entity', entity],
        ['source', source],
        ['priority', priority],
      ]),
    },
    raw: body,
  };
  if (alias !== undefined) event.dedupKey = alias;
  return event;
}

/** Parses the `{identifier}` path segment and `identifierType` query parameter (default "id"), or throws an IngestError. */
export function parseOpsgenieIdentifier(identifier: string, identifierType: string | undefined): OpsgenieIdentifier {
  const what = 'Opsgenie alert identifier';
  const p = new Problems();
  let type: OpsgenieIdentifierType | undefined = 'id';
  const rawType: unknown = identifierType;
  if (!isMissing(rawType) && rawType !== '') {
    if (typeof rawType !== 'string') p.add('identifierType', `must be a string (got ${typeName(rawType)})`);
    else {
      const lower = rawType.trim().toLowerCase();
      type = IDENTIFIER_TYPES.find((t) => t === lower);
      if (type === undefined) {
        p.add('identifierType', `must be one of "id", "alias", "tiny" (got ${show(rawType)})`);
      }
    }
  }
  const rawValue: unknown = identifier;
  if (typeof rawValue !== 'string') p.add('identifier', `must be a string (got ${typeName(rawValue)})`);
  else if (rawValue.trim() === '') p.add('identifier', 'required');
  else if (type === 'alias' && rawValue.length > OPSGENIE_LIMITS.alias) {
    p.add('identifier', `an alias must be at most ${OPSGENIE_LIMITS.alias} characters (got ${rawValue.length})`);
  }
  p.throwIfAny(what);
  return { type: type as OpsgenieIdentifierType, value: identifier };
}

/** Parses the optional body of an acknowledge/close request ({user?, source?, note?}), or throws an IngestError. */
export function parseOpsgenieActionBody(body: unknown): OpsgenieActionBody {
  const what = 'Opsgenie action';
  if (isMissing(body)) return {};
  if (!isObject(body)) return fail(what, '', `must be a JSON object (got ${typeName(body)})`);
  const p = new Problems();
  const L = OPSGENIE_LIMITS;
  const user = readString(body, 'user', '', p, { blank: 'absent', max: L.user, truncate: true });
  const source = readString(body, 'source', '', p, { blank: 'absent', max: L.source, truncate: true });
  const note = readString(body, 'note', '', p, { blank: 'absent', max: L.note, truncate: true });
  p.throwIfAny(what);
  return compact<string>([
    ['user', user],
    ['source', source],
    ['note', note],
  ]);
}

/** The key of an `Authorization: GenieKey <key>` header (scheme case-insensitive), or throws an IngestError. */
export function parseGenieKey(authorizationHeader: string | undefined): string {
  const what = 'Opsgenie authorization';
  const value: unknown = authorizationHeader;
  if (isMissing(value) || (typeof value === 'string' && value.trim() === '')) {
    return fail(what, 'Authorization', 'required ("GenieKey <key>")');
  }
  // Never echo the header: it may hold a valid key sent with the wrong scheme.
  const match = typeof value === 'string' ? /^\s*GenieKey\s+(\S+)\s*$/i.exec(value) : null;
  if (!match?.[1]) return fail(what, 'Authorization', 'must be "GenieKey <key>"');
  return match[1];
}

/** Reads `responders` / `visibleTo`: arrays of {type, id|name|username}; kept as given. */
function readRecipients(body: JsonObject, key: string, types: readonly string[], p: Problems): JsonObject[] | undefined {
  const list = readArray(body, key, '', p);
  if (!list) return undefined;
  const out: JsonObject[] = [];
  list.forEach((item, i) => {
    const path = at(key, i);
    if (!isObject(item)) {
      p.add(path, `must be an object (got ${typeName(item)})`);
      return;
    }
    const before = p.count;
    readEnum(item, 'type', path, p, types, { required: true });
    const ids = ['id', 'name', 'username'].map((k) => readString(item, k, path, p, { blank: 'absent' }));
    if (p.count === before && ids.every((v) => v === undefined)) p.add(path, 'needs one of "id", "name", "username"');
    if (p.count === before) out.push({ ...item });
  });
  return out;
}
