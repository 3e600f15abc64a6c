import { can, requirePermission, type Actor, type Via } from '../auth/actor.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { appendTimeline } from '../incident/timeline.js';
import { conflict, forbidden, invalid, notFound } from '../lib/errors.js';
import { newId } from '../lib/ids.js';
import { parse } from '../lib/validate.js';
import { findService } from '../service/service.js';
import { findUserRef, incidentOrThrow, memberRole, readSettings } from './service.js';
import { ActionInput, ROLE_NAMES, RunbookInput, type Runbook, type ServiceAction, type WarRoomRole } from './types.js';

const DAY = 86_400_000;

function runbookFromRow(r: { id: string; service_id: string; title: string; body: string; owner_id: string | null; last_reviewed_at: number }, now: number, staleDays: number): Runbook {
  return { id: r.id, serviceId: r.service_id, title: r.title, body: r.body, ownerId: r.owner_id, lastReviewedAt: Number(r.last_reviewed_at), stale: Number(r.last_reviewed_at) + staleDays * DAY <= now };
}

async function serviceOrInvalid(db: Tx, ref: string) {
  const s = await findService(db, ref);
  if (!s) throw invalid(`service: unknown service "${ref}"`, [{ path: 'service', message: 'unknown service' }]);
  return s;
}

/** Runbooks of a service, with the stale flag. */
export async function listRunbooks(ctx: Ctx, actor: Actor, serviceRef: string): Promise<Runbook[]> {
  requirePermission(actor, 'read');
  const s = await serviceOrInvalid(ctx.db.kysely, serviceRef);
  const { runbookStaleDays } = await readSettings(ctx.db.kysely);
  const rows = await ctx.db.kysely.selectFrom('runbooks').selectAll().where('service_id', '=', s.id).orderBy('title').execute();
  return rows.map((r) => runbookFromRow(r, ctx.clock.now(), runbookStaleDays));
}

/** Creates a runbook (admins). Reviewed now unless `lastReviewedAt` says otherwise. */
export async function createRunbook(ctx: Ctx, actor: Actor, input: unknown): Promise<Runbook> {
  requirePermission(actor, 'admin');
  const v = parse(RunbookInput, input, 'runbook');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    const s = await serviceOrInvalid(trx, v.service);
    const owner = v.owner ? await findUserRef(trx, v.owner) : undefined;
    if (v.owner && !owner) throw invalid(`owner: unknown user "${v.owner}"`, [{ path: 'owner', message: 'unknown user' }]);
    const row = { id: newId(), service_id: s.id, title: v.title, body: v.body, owner_id: owner?.id ?? null, last_reviewed_at: v.lastReviewedAt ?? now, stale_notified_at: null, updated_at: now };
    await trx.insertInto('runbooks').values(row).execute();
    await audit(trx, now, actor, 'runbook.create', row.id, { service: s.id, title: v.title });
    return runbookFromRow(row, now, (await readSettings(trx)).runbookStaleDays);
  });
}

/** Marks a runbook reviewed now (its owner or an admin); the stale notice may come again after the next period. */
export async function reviewRunbook(ctx: Ctx, actor: Actor, id: string): Promise<Runbook> {
  requirePermission(actor, 'read');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    const r = await trx.selectFrom('runbooks').selectAll().where('id', '=', id).executeTakeFirst();
    if (!r) throw notFound('Runbook');
    if (!(actor.type === 'user' && actor.id === r.owner_id)) requirePermission(actor, 'admin');
    await trx.updateTable('runbooks').set({ last_reviewed_at: now, stale_notified_at: null, updated_at: now }).where('id', '=', id).execute();
    await audit(trx, now, actor, 'runbook.review', id, {});
    return runbookFromRow({ ...r, last_reviewed_at: now }, now, (await readSettings(trx)).runbookStaleDays);
  });
}

/** The runbooks of an incident's service (shown in the war room; /runbook). */
export async function runbooksForIncident(ctx: Ctx, actor: Actor, idOrNumber: string, via: Via = 'api'): Promise<Runbook[]> {
  requirePermission(actor, 'read');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  void via;
  return listRunbooks(ctx, actor, inc.serviceId);
}

function actionFromRow(r: { id: string; service_id: string; name: string; description: string; method: string; url: string; headers: string; body: string; secrets: string; allowed_roles: string }): ServiceAction {
  return {
    id: r.id,
    serviceId: r.service_id,
    name: r.name,
    description: r.description,
    method: r.method,
    url: r.url,
    headers: JSON.parse(r.headers) as Record<string, string>,
    body: r.body,
    secretNames: Object.keys(JSON.parse(r.secrets) as Record<string, string>),
    allowedRoles: JSON.parse(r.allowed_roles) as WarRoomRole[],
  };
}

/** Actions of a service (secret names only). */
export async function listActions(ctx: Ctx, actor: Actor, serviceRef: string): Promise<ServiceAction[]> {
  requirePermission(actor, 'read');
  const s = await serviceOrInvalid(ctx.db.kysely, serviceRef);
  const rows = await ctx.db.kysely.selectFrom('service_actions').selectAll().where('service_id', '=', s.id).orderBy('name').execute();
  return rows.map(actionFromRow);
}

/** Defines a named action on a service: an HTTP request template with server-side secrets. Admins only. */
export async function createAction(ctx: Ctx, actor: Actor, input: unknown): Promise<ServiceAction> {
  requirePermission(actor, 'admin');
  const v = parse(ActionInput, input, 'action');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    const s = await serviceOrInvalid(trx, v.service);
    if (await trx.selectFrom('service_actions').select('id').where('service_id', '=', s.id).where('name', '=', v.name).executeTakeFirst()) throw conflict(`Service ${s.name} already has an action ${v.name}`);
    const row = {
      id: newId(),
      service_id: s.id,
      name: v.name,
      description: v.description ?? '',
      method: v.method ?? 'GET',
      url: v.url,
      headers: JSON.stringify(v.headers ?? {}),
      body: v.body ?? '',
      secrets: JSON.stringify(v.secrets ?? {}),
      allowed_roles: JSON.stringify(v.allowedRoles ?? ['im', 'responder']),
      created_at: now,
    };
    await trx.insertInto('service_actions').values(row).execute();
    await audit(trx, now, actor, 'action.create', row.id, { service: s.id, name: v.name, secrets: Object.keys(v.secrets ?? {}) });
    return actionFromRow(row);
  });
}

/** Replaces every secret value (and its URL-encoded form) in `text` with [redacted]. */
export function redact(text: string, secrets: Record<string, string>): string {
  let out = text;
  for (const value of Object.values(secrets).filter((s) => s.length >= 3).sort((a, b) => b.length - a.length)) {
    for (const form of new Set([value, encodeURIComponent(value), Buffer.from(value).toString('base64')])) out = out.split(form).join('[redacted]');
  }
  return out;
}

/** Fills `{{secrets.NAME}}`, `{{incident.id}}`, `{{incident.number}}`, `{{args}}`; `encode` URL-encodes values (for the URL). */
function fill(template: string, vars: Record<string, string>, encode: boolean): string {
  return template.replace(/\{\{\s*([\w.]+)\s*\}\}/g, (_, k: string) => {
    const v = vars[k] ?? '';
    return encode ? encodeURIComponent(v) : v;
  });
}

/**
 * Runs a service action for an incident: refused unless the actor's war-room role is allowed (admins
 * always are). The request is sent outside any transaction; who ran it and its output (secrets
 * redacted, first 4000 characters) go on the timeline.
 */
export async function runAction(ctx: Ctx, actor: Actor, idOrNumber: string, name: string, args: string, via: Via = 'api'): Promise<{ status: number | null; output: string }> {
  requirePermission(actor, 'incident.respond');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  const row = await ctx.db.kysely.selectFrom('service_actions').selectAll().where('service_id', '=', inc.serviceId).where('name', '=', name).executeTakeFirst();
  if (!row) throw notFound(`Action ${name}`);
  const allowed = JSON.parse(row.allowed_roles) as WarRoomRole[];
  if (actor.type === 'user' && !can(actor, 'admin')) {
    const role = await memberRole(ctx.db.kysely, inc.id, actor.id);
    if (!role || !allowed.includes(role)) throw forbidden(`Only the ${allowed.map((r) => ROLE_NAMES[r]).join(' or ')} may run ${name}${role ? ` (you are ${ROLE_NAMES[role]})` : ''}`);
  }
  const secrets = JSON.parse(row.secrets) as Record<string, string>;
  const vars: Record<string, string> = { 'incident.id': inc.id, 'incident.number': String(inc.number), args: args.trim() };
  for (const [k, v] of Object.entries(secrets)) vars[`secrets.${k}`] = v;
  const url = fill(row.url, vars, true);
  const headers = Object.fromEntries(Object.entries(JSON.parse(row.headers) as Record<string, string>).map(([k, v]) => [k, fill(v, vars, false)]));
  const body = row.body ? fill(row.body, vars, false) : undefined;
  let status: number | null = null;
  let output: string;
  try {
    if (!/^https?:\/\//.test(url)) throw new Error('the action URL is not http(s)');
    const res = await fetch(url, { method: row.method, headers, body: row.method === 'GET' ? undefined : body, signal: AbortSignal.timeout(15_000), redirect: 'manual' });
    status = res.status;
    output = (await res.text()).slice(0, 20_000);
  } catch (e) {
    output = `request failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  output = redact(output, secrets).slice(0, 4000);
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx, live) => {
    await appendTimeline(trx, { incidentId: inc.id, at: now, type: 'action.run', actor, via, message: `${actor.name} ran ${name}: ${status === null ? 'failed' : `HTTP ${status}`}\n${output}`, data: { action: name, status, output, args: redact(args, secrets) } }, live);
    await audit(trx, now, actor, 'action.run', row.id, { incidentId: inc.id, status });
  });
  return { status, output };
}
