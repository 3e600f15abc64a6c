/*
 * The Opsgenie REST API as the importer reads it (docs.opsgenie.com: User, Contact, Notification
 * Rule, Team, Team Routing Rule, Schedule, Schedule Override, Who is On Call, Escalation, Service,
 * Integration, Heartbeat and Maintenance APIs). Only the fields the import uses are typed; every
 * answer is checked for the shape it relies on, so a changed or truncated answer is an error naming
 * the resource, never a silent gap.
 */
import { MigrateError, type Progress } from '../types.js';
import type { SourceClient } from '../source-client.js';
import { must } from '../../lib/must.js';

export interface OgUser {
  id: string;
  username: string;
  fullName?: string;
  timeZone?: string;
  role?: { id?: string; name?: string };
  blocked?: boolean;
}
export interface OgContact {
  id: string;
  method: string;
  to: string;
  status?: { enabled?: boolean };
}
export interface OgTimeRestriction {
  type: 'time-of-day' | 'weekday-and-time-of-day';
  restriction?: { startHour: number; startMin: number; endHour: number; endMin: number };
  restrictions?: { startDay: string; startHour: number; startMin: number; endDay: string; endHour: number; endMin: number }[];
}
export interface OgNotificationRule {
  id: string;
  name: string;
  actionType: string;
  order?: number;
  enabled?: boolean;
  criteria?: { type?: string; conditions?: unknown[] };
  timeRestriction?: OgTimeRestriction | null;
  steps?: { id?: string; sendAfter?: { timeAmount: number; timeUnit?: string }; contact: { method: string; to: string }; enabled?: boolean }[];
  repeat?: { loopAfter?: number; enabled?: boolean };
}
export interface OgTeam {
  id: string;
  name: string;
  description?: string;
  members?: { user: { id: string; username?: string }; role?: string }[];
}
export interface OgRoutingRule {
  id: string;
  name?: string;
  isDefault?: boolean;
  order?: number;
  criteria?: { type?: string; conditions?: unknown[] };
  timeRestriction?: OgTimeRestriction | null;
  notify: { type: 'escalation' | 'schedule' | 'none'; id?: string; name?: string };
}
export interface OgParticipant {
  type: 'user' | 'team' | 'escalation' | 'none';
  id?: string;
  username?: string;
  name?: string;
}
export interface OgRotation {
  id: string;
  name?: string;
  startDate: string;
  endDate?: string;
  type: 'hourly' | 'daily' | 'weekly';
  length?: number;
  participants: OgParticipant[];
  timeRestriction?: OgTimeRestriction | null;
}
export interface OgSchedule {
  id: string;
  name: string;
  description?: string;
  timezone: string;
  enabled?: boolean;
  ownerTeam?: { id: string; name?: string } | null;
  rotations: OgRotation[];
}
export interface OgOverride {
  alias: string;
  user: { type: string; id?: string; username?: string; name?: string };
  startDate: string;
  endDate: string;
  rotations?: { id: string; name?: string }[];
}
export interface OgRecipient {
  type: 'user' | 'team' | 'schedule' | 'escalation' | 'none';
  id?: string;
  name?: string;
  username?: string;
}
export interface OgEscalationRule {
  condition: 'if-not-acked' | 'if-not-closed';
  notifyType: 'default' | 'next' | 'previous' | 'users' | 'admins' | 'random' | 'all';
  delay: { timeAmount: number; timeUnit?: string };
  recipient: OgRecipient;
}
export interface OgEscalation {
  id: string;
  name: string;
  description?: string;
  ownerTeam?: { id: string; name?: string } | null;
  rules: OgEscalationRule[];
  repeat?: { waitInterval?: number; count?: number; resetRecipientStates?: boolean; closeAlertAfterAll?: boolean } | null;
}
export interface OgService {
  id: string;
  name: string;
  description?: string;
  teamId?: string;
}
export interface OgIntegration {
  id: string;
  name: string;
  type: string;
  enabled?: boolean;
  teamId?: string | null;
}
export interface OgHeartbeat {
  name: string;
  interval?: number;
  intervalUnit?: string;
  enabled?: boolean;
  ownerTeam?: { id?: string; name?: string } | null;
}
export interface OgMaintenance {
  id: string;
  status?: string;
  description?: string;
  time?: { type?: string; startDate?: string; endDate?: string };
  /** Only in Get Maintenance: what it silences. Integration rules disable the integration; policy rules switch a policy. */
  rules?: { state?: string; entity?: { id?: string; type?: string } }[];
}
export interface OgTimelinePeriod {
  startDate: string;
  endDate: string;
  type?: string;
  recipient: OgRecipient;
}

/** Opsgenie's page size for list endpoints (the documented maximum). */
export const PAGE_LIMIT = 100;

function isObj(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The `data` of an answer, checked to be a list (or an object when `object`). */
function dataOf(resource: string, body: unknown, kind: 'list' | 'object'): unknown {
  if (!isObj(body) || !('data' in body)) throw new MigrateError(resource, 'the answer has no "data" field: not an Opsgenie API answer (check --url)');
  const d = body.data;
  if (kind === 'list' ? !Array.isArray(d) : !isObj(d)) throw new MigrateError(resource, `"data" is not ${kind === 'list' ? 'a list' : 'an object'}`);
  return d;
}

/** Checks every item has the string fields the import relies on. */
function check<T>(resource: string, items: unknown[], fields: string[]): T[] {
  items.forEach((x, i) => {
    if (!isObj(x)) throw new MigrateError(resource, `item ${i} is not an object`);
    for (const f of fields) if (typeof x[f] !== 'string') throw new MigrateError(resource, `item ${i} has no ${f}`);
  });
  return items as T[];
}

/**
 * Every item of a list endpoint: offset/limit pages, following `paging.next` while the source gives
 * one. A page shorter than the limit with a next link, or a next link that does not move on, is
 * read as the source says; a page whose `totalCount` promises more than the pages delivered is a
 * truncated answer and an error.
 */
export async function listAll<T>(client: SourceClient, progress: Progress, resource: string, path: string, query: Record<string, string | number> = {}, fields: string[] = ['id']): Promise<T[]> {
  const out: T[] = [];
  let next: string | undefined = client.url(path, { ...query, offset: 0, limit: PAGE_LIMIT }).toString();
  let total: number | undefined;
  const seen = new Set<string>();
  progress.start(resource);
  while (next) {
    if (seen.has(next)) throw new MigrateError(resource, `the source's next page link repeats (${next}): refusing to loop`);
    seen.add(next);
    const body: Record<string, unknown> = await client.getJson<Record<string, unknown>>(resource, next);
    const items = check<T>(resource, dataOf(resource, body, 'list') as unknown[], fields);
    if (typeof body.totalCount === 'number') total = body.totalCount;
    out.push(...items);
    progress.advance(resource, items.length, total);
    const paging: Record<string, unknown> | undefined = isObj(body.paging) ? body.paging : undefined;
    next = typeof paging?.next === 'string' && paging.next ? paging.next : undefined;
  }
  if (total !== undefined && out.length < total) throw new MigrateError(resource, `the source said ${total} but its pages held ${out.length}: a truncated answer; nothing was applied`);
  progress.done(resource);
  return out;
}

/** One object (GET .../{id}). */
export async function getOne<T>(client: SourceClient, resource: string, path: string, query?: Record<string, string | number>, fields: string[] = ['id']): Promise<T> {
  const body = await client.getJson(resource, path, query);
  return must(check<T>(resource, [dataOf(resource, body, 'object')], fields)[0], 'the checked object');
}

/** The `data` object of an answer, unchecked beyond being an object (on-call answers). */
export async function getData(client: SourceClient, resource: string, path: string, query?: Record<string, string | number | boolean>): Promise<Record<string, unknown>> {
  return dataOf(resource, await client.getJson(resource, path, query), 'object') as Record<string, unknown>;
}

/** Heartbeats come as data.heartbeats (Heartbeat API). */
export async function listHeartbeats(client: SourceClient, progress: Progress): Promise<OgHeartbeat[]> {
  progress.start('heartbeats');
  const d = await getData(client, 'heartbeats', '/v2/heartbeats');
  const list = Array.isArray(d.heartbeats) ? d.heartbeats : [];
  const out = check<OgHeartbeat>('heartbeats', list, ['name']);
  progress.advance('heartbeats', out.length, out.length);
  progress.done('heartbeats');
  return out;
}

/** A duration of Opsgenie's {timeAmount, timeUnit} in whole minutes (units: minutes, hours, days; default minutes). */
export function minutesOf(d: { timeAmount: number; timeUnit?: string } | undefined): number {
  if (!d) return 0;
  const unit = (d.timeUnit ?? 'minutes').toLowerCase();
  const per = unit.startsWith('hour') ? 60 : unit.startsWith('day') ? 1440 : unit.startsWith('week') ? 10080 : 1;
  return d.timeAmount * per;
}
