import { requirePermission, type Actor } from '../auth/actor.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { appendTimeline } from '../incident/timeline.js';
import { readTimeline } from '../incident/timeline.js';
import { conflict, invalid, notFound } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { parse } from '../lib/validate.js';
import { parseInstant } from '../schedule/index.js';
import { findTeam } from '../team/service.js';
import { warRoomTasks } from '../warroom/tasks.js';
import { draftFacts, draftSections, postmortemMarkdown, type DraftStatusUpdate } from './draft.js';
import { ActionItemInput, PostmortemPatch, ProblemInput, StateInput, type ActionItem, type ActionItemState, type Postmortem, type PostmortemFacts, type PostmortemSections, type PostmortemState } from './types.js';

/** Allowed review transitions. */
const TRANSITIONS: Record<PostmortemState, PostmortemState[]> = { draft: ['in_review'], in_review: ['draft', 'published'], published: ['in_review'] };

/** Settings key: a URL template for new problem records in an external tracker ({title} and {id} are filled in). */
export const PROBLEM_TRACKER_SETTING = 'problem_tracker_url';

async function statusUpdates(db: Tx, incidentId: string): Promise<DraftStatusUpdate[]> {
  try {
    const rows = await db.selectFrom('status_updates').select(['at', 'phase', 'message', 'author_name']).where('incident_id', '=', incidentId).orderBy('at').execute();
    return rows.map((r) => ({ at: Number(r.at), phase: r.phase, message: r.message, author: r.author_name }));
  } catch {
    return []; // status updates are not stored in this build
  }
}

async function incidentRow(db: Tx, idOrNumber: string) {
  const q = db.selectFrom('incidents').innerJoin('services', 'services.id', 'incidents.service_id').selectAll('incidents').select(['services.name as service_name', 'services.team_id']);
  const r = await (/^\d+$/.test(idOrNumber) ? q.where('incidents.number', '=', Number(idOrNumber)) : q.where('incidents.id', '=', idOrNumber)).executeTakeFirst();
  if (!r) throw notFound('Incident');
  return r;
}

function itemFromRow(r: { id: string; postmortem_id: string; team_id: string | null; title: string; owner_id: string | null; due_at: number | null; state: string; created_at: number; updated_at: number; p_id?: string | null; p_title?: string | null; p_url?: string | null; p_created?: number | null }): ActionItem {
  return {
    id: r.id,
    postmortemId: r.postmortem_id,
    teamId: r.team_id,
    title: r.title,
    ownerId: r.owner_id,
    dueAt: r.due_at === null ? null : Number(r.due_at),
    state: r.state as ActionItemState,
    problem: r.p_id ? { id: r.p_id, title: r.p_title ?? '', externalUrl: r.p_url ?? null, createdAt: Number(r.p_created) } : null,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function itemQuery(db: Tx) {
  return db
    .selectFrom('action_items')
    .leftJoin('problems', 'problems.action_item_id', 'action_items.id')
    .selectAll('action_items')
    .select(['problems.id as p_id', 'problems.title as p_title', 'problems.external_url as p_url', 'problems.created_at as p_created']);
}

async function load(db: Tx, id: string): Promise<Postmortem> {
  const r = await db.selectFrom('postmortems').selectAll().where((eb) => eb.or([eb('id', '=', id), eb('incident_id', '=', id)])).executeTakeFirst();
  if (!r) throw notFound('Postmortem');
  const items = await itemQuery(db).where('action_items.postmortem_id', '=', r.id).orderBy('action_items.created_at').orderBy('action_items.id').execute();
  return {
    id: r.id,
    incidentId: r.incident_id,
    teamId: r.team_id,
    title: r.title,
    state: r.state as PostmortemState,
    sections: JSON.parse(r.sections) as PostmortemSections,
    facts: JSON.parse(r.facts) as PostmortemFacts,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    publishedAt: r.published_at === null ? null : Number(r.published_at),
    actionItems: items.map(itemFromRow),
  };
}

/** Generates the postmortem draft of a resolved incident from its timeline and status updates (once per incident). */
export async function createPostmortem(ctx: Ctx, actor: Actor, incidentIdOrNumber: string): Promise<Postmortem> {
  requirePermission(actor, 'incident.respond');
  const db = ctx.db.kysely;
  const i = await incidentRow(db, incidentIdOrNumber);
  if (i.status !== 'resolved') throw conflict('Only a resolved incident can get a postmortem');
  const now = ctx.clock.now();
  const [timeline, updates, firstAlert] = await Promise.all([
    readTimeline(db, i.id),
    statusUpdates(db, i.id),
    db.selectFrom('alerts').select((eb) => eb.fn.min('created_at').as('first')).where('incident_id', '=', i.id).executeTakeFirst(),
  ]);
  const facts = draftFacts(
    { number: Number(i.number), createdAt: Number(i.created_at), acknowledgedAt: i.acknowledged_at === null ? null : Number(i.acknowledged_at), resolvedAt: i.resolved_at === null ? null : Number(i.resolved_at), firstAlertAt: firstAlert?.first == null ? null : Number(firstAlert.first) },
    timeline,
    updates,
  );
  const sections = draftSections({ number: Number(i.number), title: i.title, serviceName: i.service_name, severity: i.sev ?? i.severity, impact: JSON.parse(i.impact || '{}') as { customerFacing?: boolean; businessImpact?: string } }, facts, updates);
  const id = newId();
  await inTransaction(ctx, async (trx, live) => {
    const r = await trx
      .insertInto('postmortems')
      .values({ id, incident_id: i.id, team_id: i.team_id, title: `Postmortem: #${i.number} ${i.title}`.slice(0, 300), state: 'draft', sections: JSON.stringify(sections), facts: JSON.stringify(facts), created_by: actor.type === 'user' ? actor.id : null, created_at: now, updated_at: now, published_at: null })
      .onConflict((oc) => oc.column('incident_id').doNothing())
      .executeTakeFirst();
    if (!Number(r.numInsertedOrUpdatedRows ?? 0)) throw conflict('This incident already has a postmortem');
    // The war room's tasks (/task) become the draft's action items, with their owners; done ones stay done.
    for (const t of await warRoomTasks(trx, i.id)) {
      await trx
        .insertInto('action_items')
        .values({ id: newId(), postmortem_id: id, team_id: i.team_id, title: t.text.slice(0, 300), owner_id: t.ownerId, due_at: null, state: t.doneAt === null ? 'open' : 'done', reminded_at: null, created_at: now, updated_at: now })
        .execute();
    }
    await appendTimeline(trx, { incidentId: i.id, at: now, type: 'postmortem.created', actor, via: 'api', message: 'Postmortem draft created', data: { postmortemId: id } }, live);
  });
  return load(db, id);
}

/** A postmortem by its id or its incident's id. */
export async function getPostmortem(ctx: Ctx, actor: Actor, id: string): Promise<Postmortem> {
  requirePermission(actor, 'read');
  return load(ctx.db.kysely, id);
}

/** The postmortem of an incident (by its id or number), or null when it has none yet; 404 when there is no such incident. */
export async function getIncidentPostmortem(ctx: Ctx, actor: Actor, incidentIdOrNumber: string): Promise<Postmortem | null> {
  requirePermission(actor, 'read');
  const db = ctx.db.kysely;
  const i = await incidentRow(db, incidentIdOrNumber);
  const has = await db.selectFrom('postmortems').select('id').where('incident_id', '=', i.id).executeTakeFirst();
  return has ? load(db, has.id) : null;
}

/** Postmortems, newest first, optionally of one team or state. */
export async function listPostmortems(ctx: Ctx, actor: Actor, f: { team?: string; state?: string } = {}): Promise<Omit<Postmortem, 'sections' | 'facts' | 'actionItems'>[]> {
  requirePermission(actor, 'read');
  const db = ctx.db.kysely;
  let q = db.selectFrom('postmortems').select(['id', 'incident_id', 'team_id', 'title', 'state', 'created_at', 'updated_at', 'published_at']);
  if (f.team) q = q.where('team_id', '=', (await findTeam(db, f.team))?.id ?? f.team);
  if (f.state) q = q.where('state', '=', f.state);
  const rows = await q.orderBy('created_at', 'desc').limit(500).execute();
  return rows.map((r) => ({ id: r.id, incidentId: r.incident_id, teamId: r.team_id, title: r.title, state: r.state as PostmortemState, createdAt: Number(r.created_at), updatedAt: Number(r.updated_at), publishedAt: r.published_at === null ? null : Number(r.published_at) }));
}

/** Edits a postmortem's title and sections (not once published). */
export async function updatePostmortem(ctx: Ctx, actor: Actor, id: string, input: unknown): Promise<Postmortem> {
  requirePermission(actor, 'incident.respond');
  const v = parse(PostmortemPatch, input, 'postmortem');
  const p = await load(ctx.db.kysely, id);
  if (p.state === 'published') throw conflict('A published postmortem is read-only; move it back to review to edit it');
  await ctx.db.kysely.updateTable('postmortems').set({ ...(v.title && { title: v.title }), sections: JSON.stringify({ ...p.sections, ...v.sections }), updated_at: ctx.clock.now() }).where('id', '=', p.id).execute();
  return load(ctx.db.kysely, p.id);
}

/** Moves a postmortem through review: draft -> in_review -> published (and back). */
export async function setPostmortemState(ctx: Ctx, actor: Actor, id: string, input: unknown): Promise<Postmortem> {
  requirePermission(actor, 'incident.respond');
  const { state } = parse(StateInput, input, 'state');
  const p = await load(ctx.db.kysely, id);
  if (p.state === state) return p;
  if (!TRANSITIONS[p.state].includes(state)) throw conflict(`A ${p.state.replace('_', ' ')} postmortem cannot move to ${state.replace('_', ' ')}`);
  const now = ctx.clock.now();
  await ctx.db.kysely.updateTable('postmortems').set({ state, updated_at: now, published_at: state === 'published' ? now : p.publishedAt }).where('id', '=', p.id).where('state', '=', p.state).execute();
  return load(ctx.db.kysely, p.id);
}

function dueOf(v: ActionItemInput['dueAt']): number | null | undefined {
  if (v === undefined || v === null) return v;
  const t = parseInstant(v, 'UTC');
  if (t === null) throw invalid('dueAt: epoch ms or an ISO date-time', [{ path: 'dueAt', message: 'unreadable' }]);
  return t;
}

async function requireUserId(db: Tx, id: string | null | undefined): Promise<void> {
  if (!id) return;
  const u = await db.selectFrom('users').select('id').where('id', '=', id).executeTakeFirst();
  if (!u) throw invalid('ownerId: unknown user', [{ path: 'ownerId', message: 'unknown user' }]);
}

/** Adds an action item to a postmortem. */
export async function addActionItem(ctx: Ctx, actor: Actor, postmortemId: string, input: unknown): Promise<ActionItem> {
  requirePermission(actor, 'incident.respond');
  const v = parse(ActionItemInput, input, 'actionItem');
  if (!v.title) throw invalid('title: required', [{ path: 'title', message: 'required' }]);
  const db = ctx.db.kysely;
  const p = await load(db, postmortemId);
  await requireUserId(db, v.ownerId);
  const now = ctx.clock.now();
  const id = newId();
  await db.insertInto('action_items').values({ id, postmortem_id: p.id, team_id: p.teamId, title: v.title, owner_id: v.ownerId ?? null, due_at: dueOf(v.dueAt) ?? null, state: v.state ?? 'open', reminded_at: null, created_at: now, updated_at: now }).execute();
  return itemFromRow((await itemQuery(db).where('action_items.id', '=', id).executeTakeFirstOrThrow()));
}

/** Changes an action item (title, owner, due date, state); a new due date re-arms its reminder. */
export async function updateActionItem(ctx: Ctx, actor: Actor, id: string, input: unknown): Promise<ActionItem> {
  requirePermission(actor, 'incident.respond');
  const v = parse(ActionItemInput, input, 'actionItem');
  const db = ctx.db.kysely;
  const cur = await db.selectFrom('action_items').select('id').where('id', '=', id).executeTakeFirst();
  if (!cur) throw notFound('Action item');
  await requireUserId(db, v.ownerId);
  const due = dueOf(v.dueAt);
  await db
    .updateTable('action_items')
    .set({ ...(v.title && { title: v.title }), ...(v.ownerId !== undefined && { owner_id: v.ownerId }), ...(due !== undefined && { due_at: due, reminded_at: null }), ...(v.state && { state: v.state }), updated_at: ctx.clock.now() })
    .where('id', '=', id)
    .execute();
  return itemFromRow(await itemQuery(db).where('action_items.id', '=', id).executeTakeFirstOrThrow());
}

/** Open action items (open or in progress), of one team or all, soonest due first. */
export async function openActionItems(ctx: Ctx, actor: Actor, team?: string): Promise<(ActionItem & { ownerName: string | null; postmortemTitle: string; incidentId: string })[]> {
  requirePermission(actor, 'read');
  return openItems(ctx.db.kysely, team ? ((await findTeam(ctx.db.kysely, team))?.id ?? team) : undefined);
}

/** Open action items without a permission check (for the weekly summary). */
export async function openItems(db: Tx, teamId?: string) {
  let q = itemQuery(db)
    .innerJoin('postmortems', 'postmortems.id', 'action_items.postmortem_id')
    .leftJoin('users', 'users.id', 'action_items.owner_id')
    .select(['users.name as owner_name', 'postmortems.title as pm_title', 'postmortems.incident_id as pm_incident'])
    .where('action_items.state', 'in', ['open', 'in_progress']);
  if (teamId) q = q.where('action_items.team_id', '=', teamId);
  const rows = await q.orderBy('action_items.due_at').orderBy('action_items.created_at').limit(1000).execute();
  return rows.map((r) => ({ ...itemFromRow(r), ownerName: r.owner_name, postmortemTitle: r.pm_title, incidentId: r.pm_incident }));
}

/** Hands an action item over to problem management: a problem record, linked to the external tracker when configured. */
export async function createProblem(ctx: Ctx, actor: Actor, actionItemId: string, input: unknown): Promise<ActionItem> {
  requirePermission(actor, 'incident.respond');
  const v = parse(ProblemInput, input ?? {}, 'problem');
  const db = ctx.db.kysely;
  const item = await db.selectFrom('action_items').selectAll().where('id', '=', actionItemId).executeTakeFirst();
  if (!item) throw notFound('Action item');
  const id = newId();
  const title = v.title ?? item.title;
  let url = v.externalUrl ?? null;
  if (!url) {
    const tpl = await db.selectFrom('settings').select('value').where('key', '=', PROBLEM_TRACKER_SETTING).executeTakeFirst();
    if (tpl?.value) url = tpl.value.replace('{title}', encodeURIComponent(title)).replace('{id}', encodeURIComponent(id));
  }
  const r = await db
    .insertInto('problems')
    .values({ id, action_item_id: item.id, title, external_url: url, created_by: actor.type === 'user' ? actor.id : null, created_at: ctx.clock.now() })
    .onConflict((oc) => oc.column('action_item_id').doNothing())
    .executeTakeFirst();
  if (!Number(r.numInsertedOrUpdatedRows ?? 0)) throw conflict('This action item was already handed over to problem management');
  return itemFromRow(await itemQuery(db).where('action_items.id', '=', item.id).executeTakeFirstOrThrow());
}

/** The postmortem as Markdown. */
export async function exportPostmortemMarkdown(ctx: Ctx, actor: Actor, id: string): Promise<string> {
  requirePermission(actor, 'read');
  const db = ctx.db.kysely;
  const p = await load(db, id);
  const owners = new Map((await db.selectFrom('users').select(['id', 'name']).where('id', 'in', [...p.actionItems.map((a) => a.ownerId ?? ''), '']).execute()).map((u) => [u.id, u.name]));
  return postmortemMarkdown({ title: p.title, state: p.state, sections: p.sections, actionItems: p.actionItems.map((a) => ({ title: a.title, owner: a.ownerId ? (owners.get(a.ownerId) ?? a.ownerId) : null, dueAt: a.dueAt, state: a.state, problemUrl: a.problem?.externalUrl ?? null })) });
}
