/** SQL for the postmortem domain (postmortems, action items, problems): rows in, rows out. No permission checks here. */
import type { Insertable, Updateable } from 'kysely';
import type { Tx } from '../context.js';
import type { ActionItemTable, PostmortemTable, ProblemTable } from './tables.js';

/** Open action items with an owner that fell due and were not reminded yet (at most 200), with their owner. */
export async function dueActionItems(db: Tx, now: number) {
  return db
    .selectFrom('action_items')
    .innerJoin('users', 'users.id', 'action_items.owner_id')
    .select(['action_items.id', 'action_items.title', 'action_items.due_at', 'action_items.postmortem_id', 'users.id as user_id', 'users.name'])
    .where('action_items.state', 'in', ['open', 'in_progress'])
    .where('action_items.due_at', '<=', now)
    .where('action_items.reminded_at', 'is', null)
    .limit(200)
    .execute();
}

/** Claims an action item's reminder (compare-and-set on reminded_at); false when another run did. */
export async function claimActionItemReminder(db: Tx, id: string, now: number): Promise<boolean> {
  const r = await db.updateTable('action_items').set({ reminded_at: now }).where('id', '=', id).where('reminded_at', 'is', null).executeTakeFirst();
  return !!Number(r.numUpdatedRows);
}

/** A resolved incident's row with its service's name and team, by id or number (all digits). */
export async function incidentWithService(db: Tx, idOrNumber: string) {
  const q = db.selectFrom('incidents').innerJoin('services', 'services.id', 'incidents.service_id').selectAll('incidents').select(['services.name as service_name', 'services.team_id']);
  return (/^\d+$/.test(idOrNumber) ? q.where('incidents.number', '=', Number(idOrNumber)) : q.where('incidents.id', '=', idOrNumber)).executeTakeFirst();
}

/** Action items with the problem each was handed over to. */
function itemQuery(db: Tx) {
  return db
    .selectFrom('action_items')
    .leftJoin('problems', 'problems.action_item_id', 'action_items.id')
    .selectAll('action_items')
    .select(['problems.id as p_id', 'problems.title as p_title', 'problems.external_url as p_url', 'problems.created_at as p_created']);
}

/** A postmortem's action items, oldest first. */
export async function itemsOfPostmortem(db: Tx, postmortemId: string) {
  return itemQuery(db).where('action_items.postmortem_id', '=', postmortemId).orderBy('action_items.created_at').orderBy('action_items.id').execute();
}

/** An action item with its problem; throws when there is none. */
export async function itemOrThrow(db: Tx, id: string) {
  return itemQuery(db).where('action_items.id', '=', id).executeTakeFirstOrThrow();
}

/** Open action items (open or in progress), of one team or all, soonest due first, with owner and postmortem (at most 1000). */
export async function openItemRows(db: Tx, teamId?: string) {
  let q = itemQuery(db)
    .innerJoin('postmortems', 'postmortems.id', 'action_items.postmortem_id')
    .leftJoin('users', 'users.id', 'action_items.owner_id')
    .select(['users.name as owner_name', 'postmortems.title as pm_title', 'postmortems.incident_id as pm_incident'])
    .where('action_items.state', 'in', ['open', 'in_progress']);
  if (teamId) q = q.where('action_items.team_id', '=', teamId);
  return q.orderBy('action_items.due_at').orderBy('action_items.created_at').limit(1000).execute();
}

/** A postmortem row by its id or its incident's id. */
export async function postmortemRow(db: Tx, id: string) {
  return db
    .selectFrom('postmortems')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', id), eb('incident_id', '=', id)]))
    .executeTakeFirst();
}

/** Inserts an incident's postmortem; false when the incident has one already. */
export async function insertPostmortem(db: Tx, row: Insertable<PostmortemTable>): Promise<boolean> {
  const r = await db
    .insertInto('postmortems')
    .values(row)
    .onConflict((oc) => oc.column('incident_id').doNothing())
    .executeTakeFirst();
  return !!Number(r.numInsertedOrUpdatedRows ?? 0);
}

/** Inserts an action item. */
export async function insertActionItem(db: Tx, row: Insertable<ActionItemTable>): Promise<void> {
  await db.insertInto('action_items').values(row).execute();
}

/** The id of an incident's postmortem. */
export async function postmortemIdOfIncident(db: Tx, incidentId: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('postmortems').select('id').where('incident_id', '=', incidentId).executeTakeFirst();
}

/** Postmortems without their sections, newest first, of one team and state or all (at most 500). */
export async function postmortemSummaries(db: Tx, f: { teamId?: string; state?: string }) {
  let q = db.selectFrom('postmortems').select(['id', 'incident_id', 'team_id', 'title', 'state', 'created_at', 'updated_at', 'published_at']);
  if (f.teamId !== undefined) q = q.where('team_id', '=', f.teamId);
  if (f.state) q = q.where('state', '=', f.state);
  return q.orderBy('created_at', 'desc').limit(500).execute();
}

/** Updates a postmortem. */
export async function updatePostmortemRow(db: Tx, id: string, set: Updateable<PostmortemTable>): Promise<void> {
  await db.updateTable('postmortems').set(set).where('id', '=', id).execute();
}

/** Updates a postmortem only while it is in state `from` (compare-and-set). */
export async function updatePostmortemInState(db: Tx, id: string, from: string, set: Updateable<PostmortemTable>): Promise<void> {
  await db.updateTable('postmortems').set(set).where('id', '=', id).where('state', '=', from).execute();
}

/** The id of an action item, if it exists. */
export async function actionItemId(db: Tx, id: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('action_items').select('id').where('id', '=', id).executeTakeFirst();
}

/** Updates an action item. */
export async function updateActionItemRow(db: Tx, id: string, set: Updateable<ActionItemTable>): Promise<void> {
  await db.updateTable('action_items').set(set).where('id', '=', id).execute();
}

/** An action item row. */
export async function actionItemRow(db: Tx, id: string) {
  return db.selectFrom('action_items').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Inserts an action item's problem record; false when it has one already. */
export async function insertProblem(db: Tx, row: Insertable<ProblemTable>): Promise<boolean> {
  const r = await db
    .insertInto('problems')
    .values(row)
    .onConflict((oc) => oc.column('action_item_id').doNothing())
    .executeTakeFirst();
  return !!Number(r.numInsertedOrUpdatedRows ?? 0);
}
