import { requirePermission, requirePermissionSomewhere, type Actor, type Via } from '../auth/actor.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx } from '../context.js';
import * as incidents from '../incident/service.js';
import { appendTimeline } from '../incident/timeline.js';
import type { Incident } from '../incident/types.js';
import { AppError, invalid } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { postStatusUpdate } from '../status/service.js';
import { PHASES, type Phase } from '../status/types.js';
import { runAction, runbooksForIncident } from './runbooks.js';
import { appendDrillSummary } from './report.js';
import { assignRole, findUserRef, incidentOrThrow, pageInto, requireOnIncident, requireWarRoomRole, setSeverity } from './service.js';
import { WAR_ROOM_ROLES } from './types.js';
import { insertTask } from './store.js';
import { latestUpdatePhase } from '../status/store.js';
import { must } from '../lib/must.js';

/** What a command answered: ok, or refused / failed with an error code; `text` is shown in the chat. */
export interface CommandResult {
  ok: boolean;
  command: string;
  text: string;
  code?: string;
}

/** The help text of the chat commands. */
export const COMMAND_HELP = [
  '/ack — acknowledge (any war-room member)',
  '/resolve — resolve (incident manager)',
  '/sev N — set the severity level (incident manager)',
  '/role im|comms|scribe|responder @user — assign a role; /role im hands over (incident manager)',
  '/page @user|team|schedule — page someone into the war room (any member)',
  '/update [phase] [public] "text" — a status update for stakeholders (incident manager, communications lead)',
  '/task "text" @owner — an action item (any member)',
  '/runbook — the service runbooks (anyone)',
  '/run ACTION [args] — run a service action (roles the action allows)',
  '/help — this list',
].join('\n');

/** Removes one pair of surrounding quotes. */
function unquote(s: string): string {
  const t = s.trim();
  const m = /^["“'](.*)["”']$/s.exec(t);
  return m ? must(m[1], 'm[1]') : t;
}

/** Acknowledges from the war room (any member). */
export async function warRoomAck(ctx: Ctx, actor: Actor, idOrNumber: string, via: Via = 'api') {
  requirePermissionSomewhere(actor, 'incident.respond');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  await requireOnIncident(ctx.db.kysely, actor, 'incident.respond', inc);
  await requireWarRoomRole(ctx.db.kysely, actor, inc.id, WAR_ROOM_ROLES, 'acknowledge');
  return incidents.acknowledge(ctx, actor, inc.id, via);
}

/** Resolves from the war room (the incident manager); a drill gets its summary on the timeline. */
export async function warRoomResolve(ctx: Ctx, actor: Actor, idOrNumber: string, via: Via = 'api') {
  requirePermissionSomewhere(actor, 'incident.respond');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  await requireOnIncident(ctx.db.kysely, actor, 'incident.respond', inc);
  await requireWarRoomRole(ctx.db.kysely, actor, inc.id, ['im'], 'resolve');
  const r = await incidents.resolve(ctx, actor, inc.id, via);
  if (r.changed && inc.drill) await appendDrillSummary(ctx, inc.id);
  return r;
}

/**
 * A status update for stakeholders: handed to the status domain's `postStatusUpdate` (which tells
 * subscribers, except for drills). `/update [investigating|identified|monitoring|resolved] [public] "text"`;
 * the phase defaults to the incident's last one (else investigating), updates are internal unless `public`.
 */
export async function postUpdate(ctx: Ctx, actor: Actor, idOrNumber: string, text: string, via: Via = 'api'): Promise<void> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  await requireWarRoomRole(ctx.db.kysely, actor, inc.id, ['im', 'comms'], 'post status updates');
  let rest = String(text).trim();
  let phase: Phase | undefined;
  let isPublic = false;
  for (;;) {
    const m = /^(\w+)\s+(.*)$/s.exec(rest);
    if (m && (PHASES as readonly string[]).includes(must(m[1], 'm[1]').toLowerCase()) && !phase) phase = must(m[1], 'm[1]').toLowerCase() as Phase;
    else if (m && must(m[1], 'm[1]').toLowerCase() === 'public' && !isPublic) isPublic = true;
    else break;
    rest = must(m[2], 'm[2]').trim();
  }
  const message = unquote(rest);
  if (!message) throw invalid('update: text is required', [{ path: 'text', message: 'required' }]);
  if (!phase) {
    const last = await latestUpdatePhase(ctx.db.kysely, inc.id);
    phase = (last?.phase as Phase | undefined) ?? (inc.status === 'resolved' ? 'resolved' : 'investigating');
  }
  await postStatusUpdate(ctx, actor, inc.id, { phase, message, public: isPublic }, via);
}

/** Adds an action item, optionally owned by someone. */
export async function addTask(ctx: Ctx, actor: Actor, idOrNumber: string, text: string, ownerRef: string | null, via: Via = 'api'): Promise<{ id: string }> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  await requireOnIncident(ctx.db.kysely, actor, 'incident.respond', inc);
  await requireWarRoomRole(ctx.db.kysely, actor, inc.id, WAR_ROOM_ROLES, 'add tasks');
  const t = text.trim();
  if (!t) throw invalid('task: text is required', [{ path: 'text', message: 'required' }]);
  const owner = ownerRef ? await findUserRef(ctx.db.kysely, ownerRef) : undefined;
  if (ownerRef && !owner) throw invalid(`owner: unknown user "${ownerRef}"`, [{ path: 'owner', message: 'unknown user' }]);
  const now = ctx.clock.now();
  const id = newId();
  await inTransaction(ctx, async (trx, live) => {
    await insertTask(trx, { id, incident_id: inc.id, text: t.slice(0, 2000), owner_id: owner?.id ?? null, created_at: now, done_at: null });
    await appendTimeline(
      trx,
      { incidentId: inc.id, at: now, type: 'task.created', actor, via, message: `Task: ${t.slice(0, 500)}${owner ? ` (owner ${owner.name})` : ''}`, data: { taskId: id, ownerId: owner?.id ?? null } },
      live,
    );
    await audit(trx, now, actor, 'warroom.task', inc.id, { taskId: id });
    live.push({ type: 'warroom', incidentId: inc.id, data: { task: id } });
  });
  return { id };
}

async function execute(ctx: Ctx, actor: Actor, inc: Incident, name: string, rest: string, via: Via): Promise<string> {
  switch (name) {
    case 'help':
      return COMMAND_HELP;
    case 'ack': {
      const r = await warRoomAck(ctx, actor, inc.id, via);
      return r.changed ? `#${inc.number} acknowledged by ${actor.name}` : `#${inc.number} is already ${r.incident.status}`;
    }
    case 'resolve': {
      const r = await warRoomResolve(ctx, actor, inc.id, via);
      return r.changed ? `#${inc.number} resolved by ${actor.name}` : `#${inc.number} is already resolved`;
    }
    case 'sev': {
      const sev = rest.trim();
      if (!sev) throw invalid('Usage: /sev N');
      const r = await setSeverity(ctx, actor, inc.id, sev, via);
      return `Severity is now ${r.sev}`;
    }
    case 'role': {
      const m = /^(\S+)\s+(\S+)$/.exec(rest.trim());
      if (!m) throw invalid('Usage: /role im|comms|scribe|responder @user');
      const w = await assignRole(ctx, actor, inc.id, must(m[1], 'm[1]'), must(m[2], 'm[2]'), via);
      return `Roles: ${w.members.map((x) => `${x.name} (${x.role})`).join(', ')}`;
    }
    case 'page': {
      const target = rest.trim();
      if (!target) throw invalid('Usage: /page @user|team|schedule');
      const r = await pageInto(ctx, actor, inc.id, target, via);
      return `Paged ${r.paged.length} ${r.paged.length === 1 ? 'person' : 'people'} for ${target}`;
    }
    case 'update': {
      await postUpdate(ctx, actor, inc.id, rest, via);
      return 'Status update posted';
    }
    case 'task': {
      const m = /^(.*?)(?:\s+@(\S+))?$/s.exec(rest.trim());
      const text = unquote(m?.[1] ?? '');
      await addTask(ctx, actor, inc.id, text, m?.[2] ?? null, via);
      return `Task added: ${text}`;
    }
    case 'runbook':
    case 'runbooks': {
      const list = await runbooksForIncident(ctx, actor, inc.id, via);
      if (!list.length) return 'This service has no runbooks.';
      return list.map((r) => `${r.title}${r.stale ? ' (STALE: not reviewed recently)' : ''}\n${r.body}`).join('\n\n');
    }
    case 'run': {
      const m = /^(\S+)\s*(.*)$/s.exec(rest.trim());
      if (!m) throw invalid('Usage: /run ACTION [args]');
      const r = await runAction(ctx, actor, inc.id, must(m[1], 'm[1]'), m[2] ?? '', via);
      return `${m[1]}: ${r.status === null ? 'failed' : `HTTP ${r.status}`}\n${r.output}`;
    }
    default:
      throw invalid(`Unknown command /${name}. ${COMMAND_HELP}`);
  }
}

/** Runs a chat command ("/sev 1") as `actor`; past the read check, refusals and errors become a result, not an exception. */
export async function runCommand(ctx: Ctx, actor: Actor, idOrNumber: string, text: string, via: Via = 'api'): Promise<CommandResult> {
  requirePermission(actor, 'read');
  const m = /^\/(\w+)\s*(.*)$/s.exec(String(text).trim());
  const command = m?.[1]?.toLowerCase() ?? '';
  try {
    const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
    if (!m) throw invalid(`Not a command. ${COMMAND_HELP}`);
    return { ok: true, command, text: await execute(ctx, actor, inc, command, m[2] ?? '', via) };
  } catch (e) {
    if (e instanceof AppError) return { ok: false, command, text: `/${command} refused: ${e.message}`, code: e.code };
    throw e;
  }
}
