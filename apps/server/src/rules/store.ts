import type { Selectable } from 'kysely';
import type { Tx } from '../context.js';
import { deleteSetting, getSetting, upsertSetting } from '../store.js';
import type { EventRuleTable } from './tables.js';
import type { EventRule } from './types.js';

export const CATCH_ALL_KEY = 'event_rules.catch_all';

export function ruleFromRow(r: Selectable<EventRuleTable>): EventRule {
  return {
    id: r.id,
    integrationId: r.integration_id,
    position: Number(r.position),
    name: r.name,
    condition: r.condition,
    actions: JSON.parse(r.actions),
    enabled: Number(r.enabled) === 1,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** Every rule, global first, each set in position order. */
export async function allRules(db: Tx): Promise<EventRule[]> {
  const rows = await db.selectFrom('event_rules').selectAll().orderBy('integration_id').orderBy('position').orderBy('created_at').execute();
  return rows.map(ruleFromRow);
}

export async function ruleById(db: Tx, id: string): Promise<EventRule | undefined> {
  const r = await db.selectFrom('event_rules').selectAll().where('id', '=', id).executeTakeFirst();
  return r && ruleFromRow(r);
}

export async function nextPosition(db: Tx, integrationId: string | null): Promise<number> {
  const q = db.selectFrom('event_rules').select((eb) => eb.fn.max('position').as('m'));
  const r = await (integrationId === null ? q.where('integration_id', 'is', null) : q.where('integration_id', '=', integrationId)).executeTakeFirst();
  return r?.m === null || r?.m === undefined ? 1 : Number(r.m) + 1;
}

export async function insertRule(db: Tx, r: EventRule): Promise<void> {
  await db
    .insertInto('event_rules')
    .values({
      id: r.id,
      integration_id: r.integrationId,
      position: r.position,
      name: r.name,
      condition: r.condition,
      actions: JSON.stringify(r.actions),
      enabled: r.enabled ? 1 : 0,
      created_at: r.createdAt,
      updated_at: r.updatedAt,
    })
    .execute();
}

export async function updateRuleRow(db: Tx, r: EventRule): Promise<void> {
  await db
    .updateTable('event_rules')
    .set({ position: r.position, name: r.name, condition: r.condition, actions: JSON.stringify(r.actions), enabled: r.enabled ? 1 : 0, updated_at: r.updatedAt })
    .where('id', '=', r.id)
    .execute();
}

export async function deleteRuleRow(db: Tx, id: string): Promise<boolean> {
  const r = await db.deleteFrom('event_rules').where('id', '=', id).executeTakeFirst();
  return Number(r.numDeletedRows) > 0;
}

/** The catch-all service's id (a setting), or null. */
export async function catchAllServiceId(db: Tx): Promise<string | null> {
  return (await getSetting(db, CATCH_ALL_KEY)) ?? null;
}

/** Sets (or with null clears) the catch-all service. */
export async function setCatchAllServiceId(db: Tx, serviceId: string | null): Promise<void> {
  if (serviceId === null) await deleteSetting(db, CATCH_ALL_KEY);
  else await upsertSetting(db, CATCH_ALL_KEY, serviceId);
}

export async function integrationExists(db: Tx, id: string): Promise<boolean> {
  return (await db.selectFrom('integrations').select('id').where('id', '=', id).executeTakeFirst()) !== undefined;
}

/** Stores a snapshot of an ordered rule list once (a second save of the same id does nothing). */
export async function saveSnapshot(db: Tx, id: string, rules: string, at: number): Promise<void> {
  await db
    .insertInto('event_rule_snapshots')
    .values({ id, rules, created_at: at })
    .onConflict((oc) => oc.column('id').doNothing())
    .execute();
}

/** Deletes the rule set of an integration (null: the global set). */
export async function deleteRuleSet(db: Tx, integrationId: string | null): Promise<void> {
  const q = db.deleteFrom('event_rules');
  await (integrationId === null ? q.where('integration_id', 'is', null) : q.where('integration_id', '=', integrationId)).execute();
}
