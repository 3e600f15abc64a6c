/**
 * SQL for the tables no single domain owns (database.ts): `settings` (shared by every instance),
 * `counters` (incident numbers) and `audit_log`, and the database's own probes. Rows in, rows out;
 * no permission checks here.
 */
import { sql } from 'kysely';
import type { Tx } from './context.js';
import { compiled } from './lib/db/compiled.js';

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

/** Adds one to a counter and returns the new value (no row when the counter does not exist yet). Compiled once. */
export const bumpCounter = compiled((q: Tx, p: { name: string }) =>
  q
    .updateTable('counters')
    .set((eb) => ({ value: eb('value', '+', 1) }))
    .where('name', '=', p.name)
    .returning('value'),
);

/** Creates a counter at 0 unless it exists. */
export async function ensureCounter(db: Tx, name: string): Promise<void> {
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
