/**
 * SQL for the tables no single domain owns (database.ts): `settings` (shared by every instance),
 * `counters` (incident numbers) and `audit_log`, and the database's own probes. Rows in, rows out;
 * no permission checks here.
 */
import { sql } from 'kysely';
import type { Tx } from './context.js';
import { compiled } from './lib/db/compiled.js';
import { dialectOf } from './lib/db/index.js';
import { must } from './lib/must.js';

/** A setting's value, if it is set. */
export async function getSetting(db: Tx, key: string): Promise<string | undefined> {
  return (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirst())?.value;
}

/** A setting's value; throws when it is not set. */
export async function getSettingOrThrow(db: Tx, key: string): Promise<string> {
  return (await db.selectFrom('settings').select('value').where('key', '=', key).executeTakeFirstOrThrow()).value;
}

/** Stores a setting unless it is set already (the first writer wins a race). */
export async function insertSettingIfAbsent(db: Tx, key: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doNothing())
    .execute();
}

/** Stores a setting, replacing its value. */
export async function upsertSetting(db: Tx, key: string, value: string): Promise<void> {
  await db
    .insertInto('settings')
    .values({ key, value })
    .onConflict((oc) => oc.column('key').doUpdateSet({ value }))
    .execute();
}

/** Removes a setting (nothing when it is not set). */
export async function deleteSetting(db: Tx, key: string): Promise<void> {
  await db.deleteFrom('settings').where('key', '=', key).execute();
}

/** Changes the value of a setting that is set (nothing when it is not). */
export async function updateSetting(db: Tx, key: string, value: string): Promise<void> {
  await db.updateTable('settings').set({ value }).where('key', '=', key).execute();
}

/**
 * The next incident number. PostgreSQL: from the sequence `incident_numbers` (migration 0038), which
 * takes no lock, so instances opening incidents at once do not wait for each other's commits; a
 * number drawn by a transaction that rolls back is skipped. SQLite: the `incident` counter row (one
 * writer at a time; no gaps).
 */
export async function nextIncidentNumber(db: Tx): Promise<number> {
  if (dialectOf(db) === 'postgres') return Number(must((await drawIncidentNumber(db, {})).rows[0], 'nextval').value);
  const bump = async () => (await bumpCounter(db, { name: 'incident' })).rows[0];
  let r = await bump();
  if (!r) {
    await ensureCounter(db, 'incident');
    r = await bump();
  }
  return Number(must(r, 'the incident counter').value);
}

/** Makes the next incident number `after + 1` (after loading incidents numbered up to `after` in bulk: history, benchmarks). */
export async function continueIncidentNumbersAfter(db: Tx, after: number): Promise<void> {
  if (dialectOf(db) === 'postgres') await sql`select setval('incident_numbers', ${after + 1}, false)`.execute(db);
  else
    await db
      .insertInto('counters')
      .values({ name: 'incident', value: after })
      .onConflict((oc) => oc.column('name').doUpdateSet({ value: after }))
      .execute();
}

const drawIncidentNumber = compiled((_q: Tx, _p: Record<string, never>) => sql<{ value: number | string }>`select nextval('incident_numbers') as value`);

/** Adds one to a counter and returns the new value (no row when the counter does not exist yet). Compiled once. */
const bumpCounter = compiled((q: Tx, p: { name: string }) =>
  q
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', p.name)
    .returning('value'),
);

/** Creates a counter at 0 unless it exists. */
async function ensureCounter(db: Tx, name: string): Promise<void> {
  await db
    .insertInto('counters')
    .values({ name, value: 0 })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
}

/** Appends one audit log row. */
export async function insertAudit(
  db: Tx,
  row: {
    id: string;
    at: number;
    actor: string;
    action: string;
    subject: string;
    data: string;
    actor_id?: string | null;
    actor_type?: string | null;
    via?: string | null;
    address?: string | null;
    subject_type?: string | null;
    before?: string | null;
    after?: string | null;
  },
): Promise<void> {
  await db.insertInto('audit_log').values(row).execute();
}

/** `select 1`: the database answers. */
export async function pingDatabase(db: Tx): Promise<void> {
  await sql`select 1`.execute(db);
}

/** PostgreSQL's `pg_notify(channel, payload)`. */
export async function pgNotify(db: Tx, channel: string, payload: string): Promise<unknown> {
  return sql`select pg_notify(${channel}, ${payload})`.execute(db);
}

/** An audit_log row as read back. */
export type AuditRow = {
  id: string;
  at: number;
  actor: string;
  action: string;
  subject: string;
  data: string;
  actor_id?: string | null;
  actor_type?: string | null;
  via?: string | null;
  address?: string | null;
  subject_type?: string | null;
  before?: string | null;
  after?: string | null;
};

/** What the audit log can be filtered by; `after` is the keyset cursor (newest first: rows before it). */
export interface AuditFilter {
  actorId?: string;
  actor?: string;
  action?: string;
  subjectType?: string;
  subjectId?: string;
  from?: number;
  to?: number;
  after?: { at: number; id: string };
}

/** Audit rows matching `f`, newest first, at most `limit`. */
export async function auditRows(db: Tx, f: AuditFilter, limit: number): Promise<AuditRow[]> {
  let q = db.selectFrom('audit_log').selectAll();
  if (f.actorId) q = q.where('actor_id', '=', f.actorId);
  if (f.actor) q = q.where('actor', '=', f.actor);
  if (f.action) q = f.action.endsWith('.') ? q.where('action', 'like', `${f.action.replace(/%/g, '')}%`) : q.where('action', '=', f.action);
  if (f.subjectType) q = q.where('subject_type', '=', f.subjectType);
  if (f.subjectId) q = q.where('subject', '=', f.subjectId);
  if (f.from !== undefined) q = q.where('at', '>=', f.from);
  if (f.to !== undefined) q = q.where('at', '<', f.to);
  if (f.after) {
    const { at, id } = f.after;
    q = q.where((eb) => eb.or([eb('at', '<', at), eb.and([eb('at', '=', at), eb('id', '<', id)])]));
  }
  const rows = await q.orderBy('at', 'desc').orderBy('id', 'desc').limit(limit).execute();
  return rows.map((r) => ({ ...r, at: Number(r.at) }));
}

/** Up to `limit` ids of audit rows older than `before`. */
export async function expiredAuditIds(db: Tx, before: number, limit: number): Promise<string[]> {
  const rows = await db.selectFrom('audit_log').select('id').where('at', '<', before).orderBy('at').limit(limit).execute();
  return rows.map((r) => r.id);
}

/** Deletes audit rows by id; returns how many went. */
export async function deleteAuditRows(db: Tx, ids: string[]): Promise<number> {
  if (!ids.length) return 0;
  const r = await db.deleteFrom('audit_log').where('id', 'in', ids).executeTakeFirst();
  return Number(r.numDeletedRows);
}
