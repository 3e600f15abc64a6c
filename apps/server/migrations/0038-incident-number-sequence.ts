import { sql, type Kysely } from 'kysely';
import { dialectOf } from '../src/lib/db/index.js';

/**
 * PostgreSQL: incident numbers come from a sequence, `incident_numbers`, instead of the `incident`
 * row of `counters`. Bumping the row locked it until the transaction committed, so instances that
 * opened incidents at once waited for each other's whole ingest commit (bench/peer.ts, three
 * instances on one database: 0.14–0.34 × one instance). A sequence takes no lock; a number drawn by a
 * transaction that rolls back is skipped.
 *
 * During a rolling upgrade, instances of the previous version still bump the row: a trigger makes the
 * row take its new value from the same sequence, so old and new instances never hand out the same
 * number. The table is locked while the sequence is set from the row, so no bump falls in between.
 * SQLite keeps the counter row (one writer at a time).
 */
export async function up(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  await sql`lock table counters in share row exclusive mode`.execute(db);
  await sql`create sequence incident_numbers`.execute(db);
  await sql`select setval('incident_numbers', coalesce((select value from counters where name = 'incident'), 0) + 1, false)`.execute(db);
  await sql`create function counters_incident_from_sequence() returns trigger language plpgsql as $$
begin
  if new.name = 'incident' then new.value := nextval('incident_numbers'); end if;
  return new;
end $$`.execute(db);
  await sql`create trigger counters_incident_from_sequence before update on counters for each row execute function counters_incident_from_sequence()`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  if (dialectOf(db) !== 'postgres') return;
  // The row takes the last number handed out, so the counter goes on from there.
  await sql`drop trigger if exists counters_incident_from_sequence on counters`.execute(db);
  await sql`drop function if exists counters_incident_from_sequence()`.execute(db);
  await sql`update counters set value = greatest(value, (select last_value from incident_numbers)) where name = 'incident'`.execute(db);
  await sql`drop sequence if exists incident_numbers`.execute(db);
}
