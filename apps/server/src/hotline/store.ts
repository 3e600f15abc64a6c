import type { Selectable, Updateable } from 'kysely';
import type { Tx } from '../context.js';
import type { HotlineCallTable, HotlineTable } from './tables.js';

/** Every SQL statement of the hotline domain. */

export type HotlineRow = Selectable<HotlineTable>;
export type HotlineCallRow = Selectable<HotlineCallTable>;

export function listByService(db: Tx, serviceId: string): Promise<HotlineRow[]> {
  return db.selectFrom('hotlines').selectAll().where('service_id', '=', serviceId).orderBy('name').execute();
}

export function listAll(db: Tx): Promise<HotlineRow[]> {
  return db.selectFrom('hotlines').selectAll().orderBy('service_id').orderBy('name').execute();
}

export function findById(db: Tx, serviceId: string, id: string): Promise<HotlineRow | undefined> {
  return db.selectFrom('hotlines').selectAll().where('service_id', '=', serviceId).where('id', '=', id).executeTakeFirst();
}

export function findByName(db: Tx, serviceId: string, name: string): Promise<HotlineRow | undefined> {
  return db.selectFrom('hotlines').selectAll().where('service_id', '=', serviceId).where('name', '=', name).executeTakeFirst();
}

export function findByNumber(db: Tx, provider: string, number: string): Promise<HotlineRow | undefined> {
  return db.selectFrom('hotlines').selectAll().where('provider', '=', provider).where('number', '=', number).executeTakeFirst();
}

export function findByIdAnyService(db: Tx, id: string): Promise<HotlineRow | undefined> {
  return db.selectFrom('hotlines').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insert(db: Tx, row: HotlineRow): Promise<void> {
  await db.insertInto('hotlines').values(row).execute();
}

export async function update(db: Tx, id: string, set: Updateable<HotlineTable>): Promise<void> {
  await db.updateTable('hotlines').set(set).where('id', '=', id).execute();
}

export async function remove(db: Tx, id: string): Promise<boolean> {
  const r = await db.deleteFrom('hotlines').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** Per hotline: calls that opened an incident, calls refused, and the last call's time. */
export async function callStats(db: Tx, hotlineIds: string[]): Promise<Map<string, { taken: number; refused: number; lastAt: number | null }>> {
  const out = new Map<string, { taken: number; refused: number; lastAt: number | null }>();
  if (!hotlineIds.length) return out;
  const rows = await db
    .selectFrom('hotline_calls')
    .select((eb) => ['hotline_id', 'status', eb.fn.countAll().as('n'), eb.fn.max('created_at').as('last')])
    .where('hotline_id', 'in', hotlineIds)
    .groupBy(['hotline_id', 'status'])
    .execute();
  for (const r of rows) {
    const s = out.get(r.hotline_id) ?? { taken: 0, refused: 0, lastAt: null };
    const n = Number(r.n);
    if (r.status === 'refused') s.refused += n;
    else s.taken += n;
    const last = r.last === null || r.last === undefined ? null : Number(r.last);
    if (last !== null && (s.lastAt === null || last > s.lastAt)) s.lastAt = last;
    out.set(r.hotline_id, s);
  }
  return out;
}

export function findCall(db: Tx, provider: string, callSid: string): Promise<HotlineCallRow | undefined> {
  return db.selectFrom('hotline_calls').selectAll().where('provider', '=', provider).where('call_sid', '=', callSid).executeTakeFirst();
}

export function findCallById(db: Tx, id: string): Promise<HotlineCallRow | undefined> {
  return db.selectFrom('hotline_calls').selectAll().where('id', '=', id).executeTakeFirst();
}

export async function insertCall(db: Tx, row: HotlineCallRow): Promise<void> {
  await db.insertInto('hotline_calls').values(row).execute();
}

/**
 * Moves a ringing call on by compare-and-set: only if it is still ringing at `attempt`. True for
 * the one caller that wins (a repeated Dial callback finds it moved and changes nothing).
 */
export async function advanceCall(db: Tx, id: string, attempt: number, set: Updateable<HotlineCallTable>): Promise<boolean> {
  const r = await db.updateTable('hotline_calls').set(set).where('id', '=', id).where('status', '=', 'ringing').where('attempt', '=', attempt).executeTakeFirst();
  return Number(r.numUpdatedRows) === 1;
}
