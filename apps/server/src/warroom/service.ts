import { can, requirePermission, requirePermissionSomewhere, type Actor, type Permission, type Via } from '../auth/actor.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx, type LiveEvent, type Tx } from '../context.js';
import { findPolicy } from '../escalation/service.js';
import { notificationPlan, resolveTargets } from '../escalation/targets.js';
import type { Target } from '../escalation/types.js';
import { openIncident } from '../incident/lifecycle.js';
import { findIncident } from '../incident/service.js';
import { appendTimeline } from '../incident/timeline.js';
import { AddResponderInput, type Incident } from '../incident/types.js';
import { conflict, forbidden, invalid, notFound } from '../lib/errors.js';
import { parse } from '../lib/validate.js';
import { enqueueMessage } from '../notify/outbox.js';
import { buildPage } from '../notify/page.js';
import type { Channel } from '../notify/types.js';
import { findSchedule, whoIsOnCall } from '../schedule/index.js';
import { recordMeasures } from '../report/measures.js';
import { findService } from '../service/service.js';
import { findTeam } from '../team/service.js';
import { getSetting, upsertSetting } from '../store.js';
import { contactMethodAddresses, userNameRow } from '../user/store.js';
import {
  incidentImpact,
  incidentImpactIfAny,
  insertMember,
  insertWarRoom,
  levelByName,
  memberRoleRow,
  membersWithNames,
  mostSevereLevel,
  serviceExists,
  setMemberRole,
  severityExists,
  severityRank,
  severityRow,
  severityRows,
  tasksWithOwners,
  updateWarRoom,
  userRefs,
  warRoomExists,
  warRoomRow,
} from './store.js';
import { updateIncidentFields, updateSeverityRow } from '../incident/store.js';
import { DeclareInput, ImpactInput, ROLE_NAMES, SeverityLevelInput, WAR_ROOM_ROLES, WarRoomSettingsInput, type SeverityLevel, type WarRoom, type WarRoomRole, type WarRoomSettings } from './types.js';
import { must } from '../lib/must.js';

const SETTINGS_KEY = 'warroom.settings';
const DEFAULT_SETTINGS: WarRoomSettings = { imSchedule: null, sevPolicies: {}, priorityRepageMinutes: 5, priorityMaxRepages: 3, runbookStaleDays: 90, teamBridges: {} };

/** The war-room settings (defaults filled in). No permission check: for other war-room code. */
export async function readSettings(db: Tx): Promise<WarRoomSettings> {
  const r = await getSetting(db, SETTINGS_KEY);
  return { ...DEFAULT_SETTINGS, ...(r !== undefined ? (JSON.parse(r) as Partial<WarRoomSettings>) : {}) };
}

/** The war-room settings. */
export async function getSettings(ctx: Ctx, actor: Actor): Promise<WarRoomSettings> {
  requirePermission(actor, 'read');
  return readSettings(ctx.db.kysely);
}

/** Changes war-room settings (incident managers schedule, policy per severity, re-page delay, runbook period, team bridges). Admins only. */
export async function updateSettings(ctx: Ctx, actor: Actor, input: unknown): Promise<WarRoomSettings> {
  requirePermission(actor, 'admin');
  const v = parse(WarRoomSettingsInput, input, 'war-room settings');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    if (v.imSchedule) {
      const s = await findSchedule(trx, v.imSchedule);
      if (!s) throw invalid(`imSchedule: unknown schedule "${v.imSchedule}"`, [{ path: 'imSchedule', message: 'unknown schedule' }]);
      v.imSchedule = s.id;
    }
    for (const [sev, policy] of Object.entries(v.sevPolicies ?? {})) {
      if (!(await severityExists(trx, sev))) throw invalid(`sevPolicies: unknown severity ${sev}`, [{ path: `sevPolicies.${sev}`, message: 'unknown severity' }]);
      const p = await findPolicy(trx, policy);
      if (!p) throw invalid(`sevPolicies.${sev}: unknown escalation policy "${policy}"`, [{ path: `sevPolicies.${sev}`, message: 'unknown policy' }]);
      must(v.sevPolicies, 'v.sevPolicies')[sev] = p.id;
    }
    for (const team of Object.keys(v.teamBridges ?? {})) {
      const t = await findTeam(trx, team);
      if (!t) throw invalid(`teamBridges: unknown team "${team}"`, [{ path: `teamBridges.${team}`, message: 'unknown team' }]);
      if (t.id !== team) {
        const { [team]: bridge, ...rest } = must(v.teamBridges, 'v.teamBridges');
        v.teamBridges = { ...rest, [t.id]: must(bridge, 'bridge') };
      }
    }
    const next: WarRoomSettings = { ...(await readSettings(trx)), ...(v as Partial<WarRoomSettings>) };
    await upsertSetting(trx, SETTINGS_KEY, JSON.stringify(next));
    await audit(trx, now, actor, 'warroom.settings', SETTINGS_KEY, v as Record<string, unknown>);
    return next;
  });
}

/** Every severity level, most severe first. */
export async function listSeverityLevels(ctx: Ctx, actor: Actor): Promise<SeverityLevel[]> {
  requirePermission(actor, 'read');
  const rows = await severityRows(ctx.db.kysely);
  return rows.map((r) => ({ name: r.name, rank: r.rank, description: r.description, major: r.major === 1 }));
}

/** Changes a severity level's description or whether it is major. Admins only. */
export async function updateSeverityLevel(ctx: Ctx, actor: Actor, name: string, input: unknown): Promise<SeverityLevel> {
  requirePermission(actor, 'admin');
  const v = parse(SeverityLevelInput, input, 'severity level');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    const r = await severityRow(trx, name.toUpperCase());
    if (!r) throw notFound('Severity level');
    const next = { description: v.description ?? r.description, major: v.major === undefined ? r.major : v.major ? 1 : 0 };
    await updateSeverityRow(trx, r.name, next);
    await audit(trx, now, actor, 'severity.update', r.name, v);
    return { name: r.name, rank: r.rank, description: next.description, major: next.major === 1 };
  });
}

/** A severity level by name ("SEV1", "sev1" or "1"). */
async function findLevel(db: Tx, name: string): Promise<{ name: string; major: number } | undefined> {
  const n = /^\d+$/.test(name) ? `SEV${name}` : name.toUpperCase();
  return levelByName(db, n);
}

/** The incident or a not_found error. */
export async function incidentOrThrow(db: Tx, idOrNumber: string): Promise<Incident> {
  const i = await findIncident(db, idOrNumber);
  if (!i) throw notFound('Incident');
  return i;
}

/** The team of an incident's service (whose team roles count for acting on the incident), or null. */
async function incidentTeam(db: Tx, incidentId: string): Promise<string | null> {
  const inc = await findIncident(db, incidentId);
  return inc ? ((await findService(db, inc.serviceId))?.teamId ?? null) : null;
}

/**
 * The team check of incident verbs: `permission` globally or through a team role on the team of
 * the incident's service (docs/permissions.md). Throws `forbidden` otherwise.
 */
export async function requireOnIncident(db: Tx, actor: Actor, permission: Permission, inc: Incident): Promise<void> {
  requirePermission(actor, permission, (await findService(db, inc.serviceId))?.teamId ?? null);
}

/** A user's war-room role on an incident, or null. */
export async function memberRole(db: Tx, incidentId: string, userId: string): Promise<WarRoomRole | null> {
  const r = await memberRoleRow(db, incidentId, userId);
  return (r?.role as WarRoomRole | undefined) ?? null;
}

/**
 * The role check of war-room verbs: admins and the system may always; otherwise the actor needs
 * `incident.respond` and one of `roles` in this war room ('responder' also admits responders who
 * are not yet members: anyone on call may help).
 */
export async function requireWarRoomRole(db: Tx, actor: Actor, incidentId: string, roles: readonly WarRoomRole[], what: string): Promise<WarRoomRole | null> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const teamId = await incidentTeam(db, incidentId);
  requirePermission(actor, 'incident.respond', teamId);
  if (actor.type !== 'user') return null;
  if (can(actor, 'admin', teamId)) return memberRole(db, incidentId, actor.id);
  const role = await memberRole(db, incidentId, actor.id);
  if (role && roles.includes(role)) return role;
  if (!role && roles.includes('responder')) return null;
  throw forbidden(`Only the ${roles.map((r) => ROLE_NAMES[r]).join(' or ')} may ${what}${role ? ` (you are ${ROLE_NAMES[role]})` : ''}`);
}

/** Adds a member (or keeps their role unless `role` outranks it). */
export async function addMember(trx: Tx, incidentId: string, userId: string, role: WarRoomRole, now: number): Promise<void> {
  const existing = await memberRole(trx, incidentId, userId);
  if (!existing) await insertMember(trx, { incident_id: incidentId, user_id: userId, role, added_at: now });
  else if (WAR_ROOM_ROLES.indexOf(role) < WAR_ROOM_ROLES.indexOf(existing)) await setMemberRole(trx, incidentId, userId, role);
}

async function userName(db: Tx, id: string): Promise<string> {
  return (await userNameRow(db, id))?.name ?? id;
}

/** A user by id, email, email local part or name (for @mentions and command arguments). */
export async function findUserRef(db: Tx, ref: string): Promise<{ id: string; name: string } | undefined> {
  const r = ref.replace(/^@/, '').trim().toLowerCase();
  if (!r) return undefined;
  const users = await userRefs(db);
  return (
    users.find((u) => u.id === ref || u.email.toLowerCase() === r) ??
    users.find((u) => u.email.toLowerCase().split('@')[0] === r) ??
    users.find((u) => u.name.toLowerCase().replace(/\s+/g, '') === r.replace(/\s+/g, ''))
  );
}

/**
 * The high-priority contact methods of a user: their notification rules at delay 0 (without rules,
 * every verified method, like escalation).
 */
async function highPriorityMethods(db: Tx, userId: string): Promise<{ id: string; type: string; address: string }[]> {
  const plan = (await notificationPlan(db, userId)).filter((p) => p.delayMinutes === 0);
  if (!plan.length) return [];
  return contactMethodAddresses(
    db,
    plan.map((p) => p.contactMethodId),
  );
}

/** Pages a user about an incident now on their high-priority channels (a page message through the outbox). Returns the channels used. */
export async function pageUserNow(ctx: Ctx, trx: Tx, incidentId: string, userId: string, now: number): Promise<string[]> {
  const channels: string[] = [];
  for (const m of await highPriorityMethods(trx, userId)) {
    const page = await buildPage(ctx, trx, incidentId, userId, now, m.type);
    if (!page) continue;
    await enqueueMessage(trx, now, { channel: m.type as Channel, destination: m.address, message: { ...page, direct: true }, userId, contactMethodId: m.id, incidentId, first: true });
    channels.push(m.type);
  }
  return channels;
}

/** Sends a short text about an incident to a user's high-priority channels (mentions, priority messages). DRILL goes first for drills. */
export async function notifyUserText(trx: Tx, incident: { id: string; drill: boolean }, userId: string, text: string, now: number): Promise<number> {
  let n = 0;
  for (const m of await highPriorityMethods(trx, userId)) {
    await enqueueMessage(trx, now, {
      channel: m.type as Channel,
      destination: m.address,
      message: { kind: 'reply', text: `${incident.drill ? 'DRILL ' : ''}${text}`, ...(incident.drill && { drill: true }) },
      userId,
      contactMethodId: m.id,
      incidentId: incident.id,
    });
    n++;
  }
  return n;
}

/**
 * Opens the war room of an incident inside the caller's transaction (nothing if it is open):
 * bridge (given, else the service team's default), incident manager (on-call of the incident
 * managers schedule, else the declarer), members, and pages to the IM and the responders the
 * severity's policy names.
 */
export async function openWarRoom(ctx: Ctx, trx: Tx, now: number, o: { incident: Incident; sev: string; actor: Actor; via: Via; bridgeUrl?: string }, live: LiveEvent[]): Promise<boolean> {
  if (await warRoomExists(trx, o.incident.id)) return false;
  const settings = await readSettings(trx);
  const service = await findService(trx, o.incident.serviceId);
  const bridge = o.bridgeUrl ?? (service?.teamId ? settings.teamBridges[service.teamId] : undefined) ?? null;
  await insertWarRoom(trx, { incident_id: o.incident.id, opened_at: now, bridge_url: bridge, slack_channel: null, slack_pending: null });
  const who = await whoDeclaringPages(trx, settings, o.sev, o.actor, now);
  const imId = who.imId;
  if (o.actor.type === 'user') await addMember(trx, o.incident.id, o.actor.id, 'responder', now);
  if (imId) {
    await addMember(trx, o.incident.id, imId, 'im', now);
    await updateIncidentFields(trx, o.incident.id, { incident_manager_id: imId });
  }
  await appendTimeline(
    trx,
    {
      incidentId: o.incident.id,
      at: now,
      type: 'major.declared',
      actor: o.actor,
      via: o.via,
      message: `${o.incident.drill ? 'DRILL: ' : ''}Major incident declared (${o.sev}); war room opened${bridge ? `, bridge ${bridge}` : ''}`,
      data: { sev: o.sev, bridgeUrl: bridge },
    },
    live,
  );
  if (imId) {
    const name = await userName(trx, imId);
    await appendTimeline(
      trx,
      { incidentId: o.incident.id, at: now, type: 'role.assigned', actor: o.actor, via: o.via, message: `${name} is incident manager (${who.imWhy})`, data: { role: 'im', userId: imId } },
      live,
    );
  }
  for (const u of who.responderIds) await addMember(trx, o.incident.id, u, 'responder', now);
  const toPage = who.toPage;
  const notes = who.notes;
  await pageUsers(ctx, trx, now, o.incident.id, toPage, o.actor, o.via, 'declared major', live, notes);
  live.push({ type: 'warroom', incidentId: o.incident.id, data: { opened: true } });
  return true;
}

/**
 * Who declaring a major incident at `sev` makes incident manager and pages: the IM (on call in the
 * IM schedule, else the declarer) and the responders of the severity's policy, never the declarer.
 * openWarRoom pages exactly these; the declare preview shows them before anyone confirms.
 */
async function whoDeclaringPages(
  trx: Tx,
  settings: WarRoomSettings,
  sev: string,
  actor: Actor,
  now: number,
): Promise<{ imId: string | null; imWhy: string; responderIds: string[]; toPage: string[]; notes: string[] }> {
  let imId: string | null = null;
  let imWhy = 'the declarer';
  if (settings.imSchedule) {
    const r = await whoIsOnCall(trx, settings.imSchedule, now);
    if (r?.onCall?.userIds[0]) {
      imId = r.onCall.userIds[0];
      imWhy = `on call for ${r.schedule.name}`;
    }
  }
  if (!imId && actor.type === 'user') imId = actor.id;
  const self = (u: string) => actor.type === 'user' && actor.id === u;
  const toPage: string[] = imId && !self(imId) ? [imId] : [];
  const responderIds: string[] = [];
  const notes: string[] = [];
  const r = await severityResponders(trx, settings, sev, now);
  notes.push(...r.notes);
  for (const u of r.userIds) {
    responderIds.push(u);
    if (!toPage.includes(u) && !self(u)) toPage.push(u);
  }
  return { imId, imWhy, responderIds, toPage, notes };
}

/** A person named in a declare preview. */
export interface PreviewPerson {
  id: string;
  name: string;
}

/**
 * What declaring this incident major at `sev` (default: the most severe level) would do, without
 * doing it: who becomes incident manager and who is paged. For the confirmation the web app shows.
 */
export async function declarePreview(
  ctx: Ctx,
  actor: Actor,
  idOrNumber: string,
  sev?: string,
): Promise<{ sev: string; incidentManager: (PreviewPerson & { why: string }) | null; paged: PreviewPerson[]; notes: string[]; alreadyMajor: boolean }> {
  requirePermission(actor, 'incident.create');
  const db = ctx.db.kysely;
  const inc = await incidentOrThrow(db, idOrNumber);
  const level = sev ? await findLevel(db, sev) : await mostSevereLevel(db);
  if (!level) throw invalid(`sev: unknown severity level "${sev}"`, [{ path: 'sev', message: 'unknown severity level' }]);
  const who = await whoDeclaringPages(db, await readSettings(db), level.name, actor, ctx.clock.now());
  const person = async (id: string) => ({ id, name: await userName(db, id) });
  return {
    sev: level.name,
    incidentManager: who.imId ? { ...(await person(who.imId)), why: who.imWhy } : null,
    paged: await Promise.all(who.toPage.map(person)),
    notes: who.notes,
    alreadyMajor: inc.major,
  };
}

/** The people the escalation policy of a severity level names (every level's targets), for declaring at or raising to it. */
async function severityResponders(trx: Tx, settings: WarRoomSettings, sev: string, now: number): Promise<{ userIds: string[]; notes: string[] }> {
  const policyId = settings.sevPolicies[sev];
  if (!policyId) return { userIds: [], notes: [] };
  const policy = await findPolicy(trx, policyId);
  const targets: Target[] = policy ? policy.levels.flatMap((l) => l.targets) : [];
  return resolveTargets(trx, targets, now);
}

/**
 * Raising an open war room's severity pages the higher level's responders, as declaring at that
 * level would have: those named by its policy who are not in the room yet join it and are paged.
 */
async function pageRaisedSeverity(ctx: Ctx, trx: Tx, now: number, incidentId: string, sev: string, actor: Actor, via: Via, live: LiveEvent[]): Promise<void> {
  const r = await severityResponders(trx, await readSettings(trx), sev, now);
  const toPage: string[] = [];
  for (const u of r.userIds) {
    if (await memberRole(trx, incidentId, u)) continue;
    await addMember(trx, incidentId, u, 'responder', now);
    if (!(actor.type === 'user' && actor.id === u)) toPage.push(u);
  }
  await pageUsers(ctx, trx, now, incidentId, toPage, actor, via, `severity raised to ${sev}`, live, r.notes);
}

/** Pages users now and records who was paged on which channels. */
async function pageUsers(ctx: Ctx, trx: Tx, now: number, incidentId: string, userIds: string[], actor: Actor, via: Via, why: string, live: LiveEvent[], notes: string[] = []): Promise<void> {
  if (!userIds.length && !notes.length) return;
  const parts: string[] = [];
  const paged: { userId: string; channels: string[] }[] = [];
  for (const u of userIds) {
    const channels = await pageUserNow(ctx, trx, incidentId, u, now);
    paged.push({ userId: u, channels });
    parts.push(`${await userName(trx, u)} (${channels.join(', ') || 'no high-priority contact method'})`);
  }
  await appendTimeline(
    trx,
    { incidentId, at: now, type: 'page.manual', actor, via, message: `Paging ${parts.join(', ') || 'nobody'}: ${why}${notes.length ? ` (${notes.join('; ')})` : ''}`, data: { paged } },
    live,
  );
  if (paged.length) live.push({ type: 'notification', incidentId });
}

/** Declares a major incident, from an incident or fresh, and opens its war room. Anyone with the responder role may. */
export async function declareMajor(ctx: Ctx, actor: Actor, input: unknown, via: Via = 'api'): Promise<{ incident: Incident; warRoom: WarRoom }> {
  requirePermission(actor, 'incident.create');
  const v = parse(DeclareInput, input, 'declaration');
  if (!v.incident && !(v.service && v.title)) throw invalid('Give an incident, or a service and a title for a fresh one', [{ path: 'incident', message: 'required without service and title' }]);
  const now = ctx.clock.now();
  const id = await inTransaction(ctx, async (trx, live) => {
    const level = v.sev ? await findLevel(trx, v.sev) : await mostSevereLevel(trx);
    if (!level) throw invalid(`sev: unknown severity level "${v.sev}"`, [{ path: 'sev', message: 'unknown severity level' }]);
    let incidentId: string;
    if (v.incident) {
      incidentId = (await incidentOrThrow(trx, v.incident)).id;
    } else {
      const service = await findService(trx, must(v.service, 'v.service'));
      if (!service) throw invalid(`service: unknown service "${v.service}"`, [{ path: 'service', message: 'unknown service' }]);
      incidentId = (await openIncident(trx, now, { service, title: must(v.title, 'v.title'), severity: 'critical', details: '', groupKey: null, actor, via }, live)).id;
    }
    await updateIncidentFields(trx, incidentId, { sev: level.name, major: 1, ...(v.drill && { drill: 1 }), ...(v.impact && { impact: JSON.stringify(v.impact) }), updated_at: now });
    await recordMeasures(trx, incidentId); // a resolved incident's report rows carry its severity and drill flag
    const incident = must(await findIncident(trx, incidentId), 'the incident');
    await openWarRoom(ctx, trx, now, { incident, sev: level.name, actor, via, bridgeUrl: v.bridgeUrl }, live);
    await audit(trx, now, actor, 'incident.declare', incidentId, { sev: level.name, drill: v.drill ?? false });
    live.push({ type: 'incident', incidentId, data: { major: true } });
    return incidentId;
  });
  ctx.wake();
  return { incident: must(await findIncident(ctx.db.kysely, id), 'the incident'), warRoom: await readWarRoom(ctx.db.kysely, id) };
}

/** Sets an incident's severity level (the IM's call once there is one); raising it to a major level opens the war room. */
export async function setSeverity(ctx: Ctx, actor: Actor, idOrNumber: string, sev: string, via: Via = 'api'): Promise<Incident> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  await requireOnIncident(ctx.db.kysely, actor, 'incident.respond', inc);
  if (inc.major) await requireWarRoomRole(ctx.db.kysely, actor, inc.id, ['im'], 'change the severity');
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx, live) => {
    const level = await findLevel(trx, sev);
    if (!level) throw invalid(`sev: unknown severity level "${sev}"`, [{ path: 'sev', message: 'unknown severity level' }]);
    const rank = async (name: string | null) => (name ? (await severityRank(trx, name))?.rank : undefined);
    const [oldRank, newRank] = [await rank(inc.sev), await rank(level.name)];
    const raised = oldRank !== undefined && newRank !== undefined && Number(newRank) < Number(oldRank);
    await updateIncidentFields(trx, inc.id, { sev: level.name, ...(level.major === 1 && { major: 1 }), updated_at: now });
    await recordMeasures(trx, inc.id); // a resolved incident's report rows carry its severity
    await appendTimeline(
      trx,
      { incidentId: inc.id, at: now, type: 'severity.changed', actor, via, message: `Severity ${inc.sev ?? 'unset'} → ${level.name}`, data: { from: inc.sev, to: level.name } },
      live,
    );
    await audit(trx, now, actor, 'incident.severity', inc.id, { from: inc.sev, to: level.name });
    if (level.major === 1) {
      const opened = await openWarRoom(ctx, trx, now, { incident: must(await findIncident(trx, inc.id), 'the incident'), sev: level.name, actor, via }, live);
      if (!opened && raised) await pageRaisedSeverity(ctx, trx, now, inc.id, level.name, actor, via, live);
    }
    live.push({ type: 'incident', incidentId: inc.id, data: { sev: level.name } });
  });
  ctx.wake();
  return must(await findIncident(ctx.db.kysely, inc.id), 'the incident');
}

/** Assigns a war-room role (hand-over for the IM: the old IM becomes a responder). The IM (or an admin) assigns roles. */
export async function assignRole(ctx: Ctx, actor: Actor, idOrNumber: string, role: string, userRef: string, via: Via = 'api'): Promise<WarRoom> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  await requireOnIncident(ctx.db.kysely, actor, 'incident.respond', inc);
  const r = ({ im: 'im', manager: 'im', comms: 'comms', communications: 'comms', scribe: 'scribe', responder: 'responder' } as Record<string, WarRoomRole>)[role.toLowerCase()];
  if (!r) throw invalid(`role: one of im, comms, scribe, responder (got "${role}")`, [{ path: 'role', message: 'unknown role' }]);
  const hasIm = Boolean(inc.incidentManagerId);
  if (hasIm) await requireWarRoomRole(ctx.db.kysely, actor, inc.id, ['im'], 'assign roles');
  const user = await findUserRef(ctx.db.kysely, userRef);
  if (!user) throw invalid(`user: unknown user "${userRef}"`, [{ path: 'user', message: 'unknown user' }]);
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx, live) => {
    if (!(await warRoomExists(trx, inc.id))) throw invalid('This incident has no war room: declare it major first');
    let message = `${user.name} is ${ROLE_NAMES[r]}`;
    if (r === 'im') {
      if (inc.incidentManagerId && inc.incidentManagerId !== user.id) {
        await setMemberRole(trx, inc.id, inc.incidentManagerId, 'responder');
        message = `Incident manager handed over from ${await userName(trx, inc.incidentManagerId)} to ${user.name}`;
      }
      await updateIncidentFields(trx, inc.id, { incident_manager_id: user.id, updated_at: now });
    } else if (inc.incidentManagerId === user.id) {
      await updateIncidentFields(trx, inc.id, { incident_manager_id: null, updated_at: now });
    }
    if (await memberRole(trx, inc.id, user.id)) await setMemberRole(trx, inc.id, user.id, r);
    else await insertMember(trx, { incident_id: inc.id, user_id: user.id, role: r, added_at: now });
    await appendTimeline(trx, { incidentId: inc.id, at: now, type: 'role.assigned', actor, via, message, data: { role: r, userId: user.id } }, live);
    await audit(trx, now, actor, 'warroom.role', inc.id, { role: r, userId: user.id });
    live.push({ type: 'warroom', incidentId: inc.id, data: { role: r } });
  });
  return readWarRoom(ctx.db.kysely, inc.id);
}

/** Pages a user, every member of a team, or whoever a schedule has on call, into the war room now. */
export async function pageInto(ctx: Ctx, actor: Actor, idOrNumber: string, ref: string, via: Via = 'api'): Promise<{ paged: string[] }> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  await requireOnIncident(ctx.db.kysely, actor, 'incident.respond', inc);
  await requireWarRoomRole(ctx.db.kysely, actor, inc.id, WAR_ROOM_ROLES, 'page people');
  const now = ctx.clock.now();
  const clean = ref.replace(/^@/, '').trim();
  const user = await findUserRef(ctx.db.kysely, clean);
  let target: Target | undefined = user && { type: 'user', id: user.id };
  if (!target) {
    const team = await findTeam(ctx.db.kysely, clean);
    if (team) target = { type: 'team', id: team.id };
  }
  if (!target) {
    const s = await findSchedule(ctx.db.kysely, clean);
    if (s) target = { type: 'schedule', id: s.id };
  }
  if (!target) throw invalid(`Nobody called "${clean}": give a user, team or schedule`, [{ path: 'target', message: 'unknown user, team or schedule' }]);
  const userIds = await inTransaction(ctx, async (trx, live) => {
    const r = await resolveTargets(trx, [target], now);
    for (const u of r.userIds) await addMember(trx, inc.id, u, 'responder', now);
    await pageUsers(ctx, trx, now, inc.id, r.userIds, actor, via, `paged ${clean} into the war room`, live, r.notes);
    await audit(trx, now, actor, 'warroom.page', inc.id, { target });
    return r.userIds;
  });
  ctx.wake();
  return { paged: userIds };
}

/**
 * Adds a responder to any open incident, major or not (no war room needed): pages that person now
 * on their high-priority contact methods, as /page does, and records it on the timeline
 * (responder.added, with the channels used). 409 on a resolved incident.
 */
export async function addIncidentResponder(ctx: Ctx, actor: Actor, idOrNumber: string, input: unknown, via: Via = 'api'): Promise<{ paged: { userId: string; channels: string[] } }> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const v = parse(AddResponderInput, input, 'responder');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  await requireOnIncident(ctx.db.kysely, actor, 'incident.respond', inc);
  if (inc.status === 'resolved') throw conflict(`Incident #${inc.number} is resolved: reopen it first (POST /api/v1/incidents/:id/reopen)`);
  const user = await findUserRef(ctx.db.kysely, v.user.trim());
  if (!user) throw invalid(`user: unknown user "${v.user}"`, [{ path: 'user', message: 'unknown user' }]);
  const now = ctx.clock.now();
  const channels = await inTransaction(ctx, async (trx, live) => {
    if (inc.major && !(await memberRole(trx, inc.id, user.id))) await addMember(trx, inc.id, user.id, 'responder', now);
    const used = await pageUserNow(ctx, trx, inc.id, user.id, now);
    await appendTimeline(
      trx,
      {
        incidentId: inc.id,
        at: now,
        type: 'responder.added',
        actor,
        via,
        message: `${user.name} added as a responder by ${actor.name} via ${via}: paged on ${used.join(', ') || 'nothing (no high-priority contact method)'}`,
        data: { userId: user.id, channels: used },
      },
      live,
    );
    if (used.length) live.push({ type: 'notification', incidentId: inc.id });
    await audit(trx, now, actor, 'incident.responder', inc.id, { userId: user.id });
    return used;
  });
  ctx.wake();
  return { paged: { userId: user.id, channels } };
}

/** Sets the incident's conference bridge link (null: back to the team default). IM or comms. */
export async function setBridge(ctx: Ctx, actor: Actor, idOrNumber: string, url: string | null, via: Via = 'api'): Promise<WarRoom> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  await requireOnIncident(ctx.db.kysely, actor, 'incident.respond', inc);
  await requireWarRoomRole(ctx.db.kysely, actor, inc.id, ['im', 'comms'], 'set the bridge');
  if (url !== null && !/^https?:\/\/\S+$/.test(url)) throw invalid('bridgeUrl: must be an http(s) URL', [{ path: 'bridgeUrl', message: 'must be an http(s) URL' }]);
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx, live) => {
    if (!(await updateWarRoom(trx, inc.id, { bridge_url: url }))) throw invalid('This incident has no war room: declare it major first');
    await appendTimeline(trx, { incidentId: inc.id, at: now, type: 'bridge.changed', actor, via, message: url ? `Bridge: ${url}` : 'Bridge removed', data: { bridgeUrl: url } }, live);
    await audit(trx, now, actor, 'warroom.bridge', inc.id, { url });
  });
  return readWarRoom(ctx.db.kysely, inc.id);
}

/**
 * Sets the incident's impact (affected services, customer-facing or not, the business impact
 * estimate). The incident manager owns it; the communications lead and admins may change it too.
 */
export async function setImpact(ctx: Ctx, actor: Actor, idOrNumber: string, input: unknown, via: Via = 'api'): Promise<WarRoom> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const v = parse(ImpactInput, input, 'impact');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  await requireOnIncident(ctx.db.kysely, actor, 'incident.respond', inc);
  await requireWarRoomRole(ctx.db.kysely, actor, inc.id, ['im', 'comms'], 'change the impact');
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx, live) => {
    for (const [i, id] of (v.affectedServiceIds ?? []).entries()) {
      if (!(await serviceExists(trx, id))) {
        throw invalid(`affectedServiceIds.${i}: unknown service ${id}`, [{ path: `affectedServiceIds.${i}`, message: 'unknown service' }]);
      }
    }
    const row = await incidentImpact(trx, inc.id);
    const impact = { ...(JSON.parse(row.impact) as Record<string, unknown>), ...v };
    await updateIncidentFields(trx, inc.id, { impact: JSON.stringify(impact), updated_at: now });
    const said = [
      v.businessImpact !== undefined && `business impact: ${v.businessImpact.slice(0, 300)}`,
      v.customerFacing !== undefined && (v.customerFacing ? 'customer-facing' : 'not customer-facing'),
      v.affectedServiceIds && `${v.affectedServiceIds.length} affected service(s)`,
    ].filter(Boolean);
    await appendTimeline(trx, { incidentId: inc.id, at: now, type: 'impact.changed', actor, via, message: `Impact updated: ${said.join('; ') || 'cleared'}`, data: impact }, live);
    await audit(trx, now, actor, 'warroom.impact', inc.id, impact);
    live.push({ type: 'warroom', incidentId: inc.id, data: { impact: true } });
  });
  return readWarRoom(ctx.db.kysely, inc.id);
}

/** A war room (no permission check). */
export async function readWarRoom(db: Tx, incidentId: string): Promise<WarRoom> {
  const w = await warRoomRow(db, incidentId);
  if (!w) throw notFound('War room');
  const inc = must(await findIncident(db, incidentId), 'the incident');
  const members = await membersWithNames(db, incidentId);
  const tasks = await tasksWithOwners(db, incidentId);
  const im = inc.incidentManagerId ? { id: inc.incidentManagerId, name: await userName(db, inc.incidentManagerId) } : null;
  return {
    incidentId,
    incidentNumber: inc.number,
    sev: inc.sev,
    drill: inc.drill,
    openedAt: w.opened_at,
    impact: JSON.parse((await incidentImpactIfAny(db, incidentId))?.impact ?? '{}') as WarRoom['impact'],
    bridgeUrl: w.bridge_url,
    slackChannel: w.slack_channel,
    incidentManager: im,
    members: members.map((m) => ({ userId: m.user_id, name: m.name, role: m.role as WarRoomRole })),
    tasks: tasks.map((t) => ({ id: t.id, text: t.text, ownerId: t.owner_id, ownerName: t.name, createdAt: t.created_at, doneAt: t.done_at })),
  };
}

/** An incident's war room. */
export async function getWarRoom(ctx: Ctx, actor: Actor, idOrNumber: string): Promise<WarRoom> {
  requirePermission(actor, 'read');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  return readWarRoom(ctx.db.kysely, inc.id);
}
