import { requirePermission, requirePermissionSomewhere, type Actor } from '../auth/actor.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { appendTimeline } from '../incident/timeline.js';
import { readTimeline } from '../incident/timeline.js';
import { conflict, invalid, notFound } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { parse } from '../lib/validate.js';
import { parseInstant } from '../schedule/index.js';
import { findTeam } from '../team/service.js';
import { warRoomTasks } from '../warroom/tasks.js';
import { firstAlertAt } from '../alert/store.js';
import { updatesOldestFirst } from '../status/store.js';
import { getSetting } from '../store.js';
import { userIdIfExists, userNames } from '../user/store.js';
import {
  actionItemRow,
  incidentWithService,
  insertActionItem,
  insertPostmortem,
  insertProblem,
  itemOrThrow,
  itemsOfPostmortem,
  openItemRows,
  postmortemIdOfIncident,
  postmortemRow,
  postmortemSummaries,
  updateActionItemRow,
  updatePostmortemInState,
  updatePostmortemRow,
} from './store.js';
import { draftFacts, draftSections, postmortemMarkdown, type DraftStatusUpdate } from './draft.js';
import {
  ActionItemInput,
  PostmortemPatch,
  ProblemInput,
  StateInput,
  type ActionItem,
  type ActionItemState,
  type Postmortem,
  type PostmortemFacts,
  type PostmortemSections,
  type PostmortemState,
} from './types.js';

/** Allowed review transitions. */
const TRANSITIONS: Record<PostmortemState, PostmortemState[]> = { draft: ['in_review'], in_review: ['draft', 'published'], published: ['in_review'] };

/** Settings key: a URL template for new problem records in an external tracker ({title} and {id} are filled in). */
export const PROBLEM_TRACKER_SETTING = 'problem_tracker_url';

async function statusUpdates(db: Tx, incidentId: string): Promise<DraftStatusUpdate[]> {
  try {
    const rows = await updatesOldestFirst(db, incidentId);
    return rows.map((r) => ({ at: Number(r.at), phase: r.phase, message: r.message, author: r.author_name }));
  } catch {
    return []; // status updates are not stored in this build
  }
}

/**
 * The team check of postmortem writes: `incident.respond` globally or on the team of the
 * postmortem's incident's service (its responders and admins write the postmortem).
 */
async function requireOnPostmortem(db: Tx, actor: Actor, incidentId: string): Promise<void> {
  requirePermission(actor, 'incident.respond', (await incidentWithService(db, incidentId))?.team_id ?? null);
}

async function incidentRow(db: Tx, idOrNumber: string) {
  const r = await incidentWithService(db, idOrNumber);
  if (!r) throw notFound('Incident');
  return r;
}

function itemFromRow(r: {
  id: string;
  postmortem_id: string;
  team_id: string | null;
  title: string;
  owner_id: string | null;
  due_at: number | null;
  state: string;
  created_at: number;
  updated_at: number;
  p_id?: string | null;
  p_title?: string | null;
  p_url?: string | null;
  p_created?: number | null;
}): ActionItem {
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

async function load(db: Tx, id: string): Promise<Postmortem> {
  const r = await postmortemRow(db, id);
  if (!r) throw notFound('Postmortem');
  const items = await itemsOfPostmortem(db, r.id);
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
  requirePermissionSomewhere(actor, 'incident.respond');
  const db = ctx.db.kysely;
  const i = await incidentRow(db, incidentIdOrNumber);
  requirePermission(actor, 'incident.respond', i.team_id);
  if (i.status !== 'resolved') throw conflict('Only a resolved incident can get a postmortem');
  const now = ctx.clock.now();
  const [timeline, updates, firstAlert] = await Promise.all([readTimeline(db, i.id), statusUpdates(db, i.id), firstAlertAt(db, i.id)]);
  const facts = draftFacts(
    {
      number: Number(i.number),
      createdAt: Number(i.created_at),
      acknowledgedAt: i.acknowledged_at === null ? null : Number(i.acknowledged_at),
      resolvedAt: i.resolved_at === null ? null : Number(i.resolved_at),
      firstAlertAt: firstAlert?.first == null ? null : Number(firstAlert.first),
    },
    timeline,
    updates,
  );
  const sections = draftSections(
    {
      number: Number(i.number),
      title: i.title,
      serviceName: i.service_name,
      severity: i.sev ?? i.severity,
      impact: JSON.parse(i.impact || '{}') as { customerFacing?: boolean; businessImpact?: string },
    },
    facts,
    updates,
  );
  const id = newId();
  await inTransaction(ctx, async (trx, live) => {
    const inserted = await insertPostmortem(trx, {
      id,
      incident_id: i.id,
      team_id: i.team_id,
      title: `Postmortem: #${i.number} ${i.title}`.slice(0, 300),
      state: 'draft',
      sections: JSON.stringify(sections),
      facts: JSON.stringify(facts),
      created_by: actor.type === 'user' ? actor.id : null,
      created_at: now,
      updated_at: now,
      published_at: null,
    });
    if (!inserted) throw conflict('This incident already has a postmortem');
    // The war room's tasks (/task) become the draft's action items, with their owners; done ones stay done.
    for (const t of await warRoomTasks(trx, i.id)) {
      await insertActionItem(trx, {
        id: newId(),
        postmortem_id: id,
        team_id: i.team_id,
        title: t.text.slice(0, 300),
        owner_id: t.ownerId,
        due_at: null,
        state: t.doneAt === null ? 'open' : 'done',
        reminded_at: null,
        created_at: now,
        updated_at: now,
      });
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
  const has = await postmortemIdOfIncident(db, i.id);
  return has ? load(db, has.id) : null;
}

/** Postmortems, newest first, optionally of one team or state. */
export async function listPostmortems(ctx: Ctx, actor: Actor, f: { team?: string; state?: string } = {}): Promise<Omit<Postmortem, 'sections' | 'facts' | 'actionItems'>[]> {
  requirePermission(actor, 'read');
  const db = ctx.db.kysely;
  const teamId = f.team ? ((await findTeam(db, f.team))?.id ?? f.team) : undefined;
  const rows = await postmortemSummaries(db, { teamId, state: f.state });
  return rows.map((r) => ({
    id: r.id,
    incidentId: r.incident_id,
    teamId: r.team_id,
    title: r.title,
    state: r.state as PostmortemState,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    publishedAt: r.published_at === null ? null : Number(r.published_at),
  }));
}

/** Edits a postmortem's title and sections (not once published). */
export async function updatePostmortem(ctx: Ctx, actor: Actor, id: string, input: unknown): Promise<Postmortem> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const v = parse(PostmortemPatch, input, 'postmortem');
  const p = await load(ctx.db.kysely, id);
  await requireOnPostmortem(ctx.db.kysely, actor, p.incidentId);
  if (p.state === 'published') throw conflict('A published postmortem is read-only; move it back to review to edit it');
  await updatePostmortemRow(ctx.db.kysely, p.id, { ...(v.title && { title: v.title }), sections: JSON.stringify({ ...p.sections, ...v.sections }), updated_at: ctx.clock.now() });
  return load(ctx.db.kysely, p.id);
}

/** Moves a postmortem through review: draft -> in_review -> published (and back). */
export async function setPostmortemState(ctx: Ctx, actor: Actor, id: string, input: unknown): Promise<Postmortem> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const { state } = parse(StateInput, input, 'state');
  const p = await load(ctx.db.kysely, id);
  await requireOnPostmortem(ctx.db.kysely, actor, p.incidentId);
  if (p.state === state) return p;
  if (!TRANSITIONS[p.state].includes(state)) throw conflict(`A ${p.state.replace('_', ' ')} postmortem cannot move to ${state.replace('_', ' ')}`);
  const now = ctx.clock.now();
  await updatePostmortemInState(ctx.db.kysely, p.id, p.state, { state, updated_at: now, published_at: state === 'published' ? now : p.publishedAt });
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
  const u = await userIdIfExists(db, id);
  if (!u) throw invalid('ownerId: unknown user', [{ path: 'ownerId', message: 'unknown user' }]);
}

/** Adds an action item to a postmortem. */
export async function addActionItem(ctx: Ctx, actor: Actor, postmortemId: string, input: unknown): Promise<ActionItem> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const v = parse(ActionItemInput, input, 'actionItem');
  if (!v.title) throw invalid('title: required', [{ path: 'title', message: 'required' }]);
  const db = ctx.db.kysely;
  const p = await load(db, postmortemId);
  await requireOnPostmortem(db, actor, p.incidentId);
  await requireUserId(db, v.ownerId);
  const now = ctx.clock.now();
  const id = newId();
  await insertActionItem(db, {
    id,
    postmortem_id: p.id,
    team_id: p.teamId,
    title: v.title,
    owner_id: v.ownerId ?? null,
    due_at: dueOf(v.dueAt) ?? null,
    state: v.state ?? 'open',
    reminded_at: null,
    created_at: now,
    updated_at: now,
  });
  return itemFromRow(await itemOrThrow(db, id));
}

/** Changes an action item (title, owner, due date, state); a new due date re-arms its reminder. */
export async function updateActionItem(ctx: Ctx, actor: Actor, id: string, input: unknown): Promise<ActionItem> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const v = parse(ActionItemInput, input, 'actionItem');
  const db = ctx.db.kysely;
  const cur = await actionItemRow(db, id);
  if (!cur) throw notFound('Action item');
  await requireOnPostmortem(db, actor, (await load(db, cur.postmortem_id)).incidentId);
  await requireUserId(db, v.ownerId);
  const due = dueOf(v.dueAt);
  await updateActionItemRow(db, id, {
    ...(v.title && { title: v.title }),
    ...(v.ownerId !== undefined && { owner_id: v.ownerId }),
    ...(due !== undefined && { due_at: due, reminded_at: null }),
    ...(v.state && { state: v.state }),
    updated_at: ctx.clock.now(),
  });
  return itemFromRow(await itemOrThrow(db, id));
}

/** Open action items (open or in progress), of one team or all, soonest due first. */
export async function openActionItems(ctx: Ctx, actor: Actor, team?: string): Promise<(ActionItem & { ownerName: string | null; postmortemTitle: string; incidentId: string })[]> {
  requirePermission(actor, 'read');
  return openItems(ctx.db.kysely, team ? ((await findTeam(ctx.db.kysely, team))?.id ?? team) : undefined);
}

/** Open action items without a permission check (for the weekly summary). */
export async function openItems(db: Tx, teamId?: string) {
  const rows = await openItemRows(db, teamId);
  return rows.map((r) => ({ ...itemFromRow(r), ownerName: r.owner_name, postmortemTitle: r.pm_title, incidentId: r.pm_incident }));
}

/** Hands an action item over to problem management: a problem record, linked to the external tracker when configured. */
export async function createProblem(ctx: Ctx, actor: Actor, actionItemId: string, input: unknown): Promise<ActionItem> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const v = parse(ProblemInput, input ?? {}, 'problem');
  const db = ctx.db.kysely;
  const item = await actionItemRow(db, actionItemId);
  if (!item) throw notFound('Action item');
  await requireOnPostmortem(db, actor, (await load(db, item.postmortem_id)).incidentId);
  const id = newId();
  const title = v.title ?? item.title;
  let url = v.externalUrl ?? null;
  if (!url) {
    const tpl = await getSetting(db, PROBLEM_TRACKER_SETTING);
    if (tpl) url = tpl.replace('{title}', encodeURIComponent(title)).replace('{id}', encodeURIComponent(id));
  }
  const inserted = await insertProblem(db, { id, action_item_id: item.id, title, external_url: url, created_by: actor.type === 'user' ? actor.id : null, created_at: ctx.clock.now() });
  if (!inserted) throw conflict('This action item was already handed over to problem management');
  return itemFromRow(await itemOrThrow(db, item.id));
}

/** The postmortem as Markdown. */
export async function exportPostmortemMarkdown(ctx: Ctx, actor: Actor, id: string): Promise<string> {
  requirePermission(actor, 'read');
  const db = ctx.db.kysely;
  const p = await load(db, id);
  const owners = new Map((await userNames(db, [...p.actionItems.map((a) => a.ownerId ?? ''), ''])).map((u) => [u.id, u.name]));
  return postmortemMarkdown({
    title: p.title,
    state: p.state,
    sections: p.sections,
    actionItems: p.actionItems.map((a) => ({
      title: a.title,
      owner: a.ownerId ? (owners.get(a.ownerId) ?? a.ownerId) : null,
      dueAt: a.dueAt,
      state: a.state,
      problemUrl: a.problem?.externalUrl ?? null,
    })),
  });
}
