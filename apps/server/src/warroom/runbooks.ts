import { can, requirePermission, requirePermissionSomewhere, type Actor, type Via } from '../auth/actor.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { appendTimeline } from '../incident/timeline.js';
import { conflict, forbidden, invalid, notFound } from '../lib/errors.js';
import { defaultEgress, requireEgressUrlResolved } from '../lib/egress.js';
import { newId } from '../lib/ids.js';
import { isSealed, type SecretBox } from '../lib/secret-box.js';
import { parse } from '../lib/validate.js';
import { findService } from '../service/service.js';
import { findUserRef, incidentOrThrow, memberRole, readSettings } from './service.js';
import { actionByName, actionIdByName, actionRows, actionSecrets, insertAction, insertRunbook, markRunbookReviewed, replaceActionSecrets, runbookRow, runbookRows } from './store.js';
import { bodySlot, fillBody, fillTemplate, placeholdersOnlyInPathOrQuery, redact } from './action-template.js';
import { ActionInput, ROLE_NAMES, RunbookInput, type Runbook, type ServiceAction, type WarRoomRole } from './types.js';

const DAY = 86_400_000;

function runbookFromRow(r: { id: string; service_id: string; title: string; body: string; owner_id: string | null; last_reviewed_at: number }, now: number, staleDays: number): Runbook {
  return {
    id: r.id,
    serviceId: r.service_id,
    title: r.title,
    body: r.body,
    ownerId: r.owner_id,
    lastReviewedAt: Number(r.last_reviewed_at),
    stale: Number(r.last_reviewed_at) + staleDays * DAY <= now,
  };
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
  const rows = await runbookRows(ctx.db.kysely, s.id);
  return rows.map((r) => runbookFromRow(r, ctx.clock.now(), runbookStaleDays));
}

/** Creates a runbook (admins, globally or of the service's team). Reviewed now unless `lastReviewedAt` says otherwise. */
export async function createRunbook(ctx: Ctx, actor: Actor, input: unknown): Promise<Runbook> {
  requirePermissionSomewhere(actor, 'admin');
  const v = parse(RunbookInput, input, 'runbook');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    const s = await serviceOrInvalid(trx, v.service);
    requirePermission(actor, 'admin', s.teamId ?? null);
    const owner = v.owner ? await findUserRef(trx, v.owner) : undefined;
    if (v.owner && !owner) throw invalid(`owner: unknown user "${v.owner}"`, [{ path: 'owner', message: 'unknown user' }]);
    const row = { id: newId(), service_id: s.id, title: v.title, body: v.body, owner_id: owner?.id ?? null, last_reviewed_at: v.lastReviewedAt ?? now, stale_notified_at: null, updated_at: now };
    await insertRunbook(trx, row);
    await audit(trx, now, actor, 'runbook.create', row.id, { service: s.id, title: v.title });
    return runbookFromRow(row, now, (await readSettings(trx)).runbookStaleDays);
  });
}

/** Marks a runbook reviewed now (its owner or an admin, globally or of its service's team); the stale notice may come again after the next period. */
export async function reviewRunbook(ctx: Ctx, actor: Actor, id: string): Promise<Runbook> {
  requirePermissionSomewhere(actor, 'read');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    const r = await runbookRow(trx, id);
    if (!r) throw notFound('Runbook');
    if (!(actor.type === 'user' && actor.id === r.owner_id)) requirePermission(actor, 'admin', (await findService(trx, r.service_id))?.teamId ?? null);
    await markRunbookReviewed(trx, id, now);
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

function actionFromRow(r: {
  id: string;
  service_id: string;
  name: string;
  description: string;
  method: string;
  url: string;
  headers: string;
  body: string;
  secrets: string;
  allowed_roles: string;
}): ServiceAction {
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
  const rows = await actionRows(ctx.db.kysely, s.id);
  return rows.map(actionFromRow);
}

/** Defines a named action on a service: an HTTP request template with server-side secrets. Admins only (globally or of the service's team). */
export async function createAction(ctx: Ctx, actor: Actor, input: unknown): Promise<ServiceAction> {
  requirePermissionSomewhere(actor, 'admin');
  const v = parse(ActionInput, input, 'action');
  requirePermission(actor, 'admin', (await serviceOrInvalid(ctx.db.kysely, v.service)).teamId ?? null);
  if (!placeholdersOnlyInPathOrQuery(v.url))
    throw invalid('url: must be an absolute http(s) URL whose scheme, host and port contain no {{placeholders}}', [{ path: 'url', message: 'placeholders only in the path or query' }]);
  await requireEgressUrlResolved(ctx.egress ?? defaultEgress(), v.url.replace(/\{\{\s*[\w.]+\s*\}\}/g, 'x'), 'url');
  const box = requireBox(ctx);
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    const s = await serviceOrInvalid(trx, v.service);
    if (await actionIdByName(trx, s.id, v.name)) throw conflict(`Service ${s.name} already has an action ${v.name}`);
    const row = {
      id: newId(),
      service_id: s.id,
      name: v.name,
      description: v.description ?? '',
      method: v.method ?? 'GET',
      url: v.url,
      headers: JSON.stringify(v.headers ?? {}),
      body: v.body ?? '',
      secrets: JSON.stringify(sealSecrets(box, v.secrets ?? {})),
      allowed_roles: JSON.stringify(v.allowedRoles ?? ['im', 'responder']),
      created_at: now,
    };
    await insertAction(trx, row);
    await audit(trx, now, actor, 'action.create', row.id, { service: s.id, name: v.name, secrets: Object.keys(v.secrets ?? {}) });
    return actionFromRow(row);
  });
}

const SECRET_PURPOSE = 'action-secret';

function requireBox(ctx: Ctx): SecretBox {
  if (!ctx.secretBox) throw new Error('No secret key: the context was built without KLAXON_SECRET_KEY handling');
  return ctx.secretBox;
}

function sealSecrets(box: SecretBox, secrets: Record<string, string>): Record<string, string> {
  return Object.fromEntries(Object.entries(secrets).map(([k, v]) => [k, box.seal(v, SECRET_PURPOSE)]));
}

function openSecrets(box: SecretBox, stored: string): Record<string, string> {
  return Object.fromEntries(Object.entries(JSON.parse(stored) as Record<string, string>).map(([k, v]) => [k, box.open(v, SECRET_PURPOSE)]));
}

/**
 * Encrypts action secrets stored in plaintext (rows written before encryption at rest existed).
 * Runs at start; a row whose values are all sealed is left alone, so it is cheap and idempotent.
 */
export async function sealLegacySecrets(ctx: Ctx): Promise<number> {
  const box = requireBox(ctx);
  let sealed = 0;
  for (const r of await actionSecrets(ctx.db.kysely)) {
    const values = JSON.parse(r.secrets) as Record<string, string>;
    if (Object.values(values).every(isSealed)) continue;
    const next = Object.fromEntries(Object.entries(values).map(([k, v]) => [k, isSealed(v) ? v : box.seal(v, SECRET_PURPOSE)]));
    await replaceActionSecrets(ctx.db.kysely, r.id, r.secrets, JSON.stringify(next));
    sealed++;
  }
  if (sealed) ctx.log.info({ actions: sealed }, 'war-room action secrets encrypted at rest');
  return sealed;
}

/**
 * Runs a service action for an incident: refused unless the actor's war-room role is allowed (admins
 * always are). The request is sent outside any transaction; who ran it and its output (secrets
 * redacted, first 4000 characters) go on the timeline.
 */
export async function runAction(ctx: Ctx, actor: Actor, idOrNumber: string, name: string, args: string, via: Via = 'api'): Promise<{ status: number | null; output: string }> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const inc = await incidentOrThrow(ctx.db.kysely, idOrNumber);
  const teamId = (await findService(ctx.db.kysely, inc.serviceId))?.teamId ?? null;
  requirePermission(actor, 'incident.respond', teamId);
  const row = await actionByName(ctx.db.kysely, inc.serviceId, name);
  if (!row) throw notFound(`Action ${name}`);
  const allowed = JSON.parse(row.allowed_roles) as WarRoomRole[];
  if (actor.type === 'user' && !can(actor, 'admin', teamId)) {
    const role = await memberRole(ctx.db.kysely, inc.id, actor.id);
    if (!role || !allowed.includes(role)) throw forbidden(`Only the ${allowed.map((r) => ROLE_NAMES[r]).join(' or ')} may run ${name}${role ? ` (you are ${ROLE_NAMES[role]})` : ''}`);
  }
  let secrets: Record<string, string>;
  try {
    secrets = openSecrets(requireBox(ctx), row.secrets);
  } catch (e) {
    throw conflict(`Action ${name} cannot run: ${e instanceof Error ? e.message : String(e)}`);
  }
  const vars: Record<string, string> = { 'incident.id': inc.id, 'incident.number': String(inc.number), args: args.trim() };
  for (const [k, v] of Object.entries(secrets)) vars[`secrets.${k}`] = v;
  // Every value is escaped for where it lands (action-template.ts): a responder's args cannot add a
  // header, a query parameter or a JSON field.
  const url = fillTemplate(row.url, vars, 'url');
  const templateHeaders = JSON.parse(row.headers) as Record<string, string>;
  const headers = Object.fromEntries(Object.entries(templateHeaders).map(([k, v]) => [k, fillTemplate(v, vars, 'header')]));
  const body = row.body ? fillBody(row.body, vars, bodySlot(templateHeaders, row.body)) : undefined;
  // As fetch did before: a body without a Content-Type is sent as text.
  if (body !== undefined && row.method !== 'GET' && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) headers['content-type'] = 'text/plain;charset=UTF-8';
  let status: number | null = null;
  let output: string;
  try {
    const res = await (ctx.egress ?? defaultEgress()).request(url, {
      method: row.method as 'GET',
      headers,
      body: row.method === 'GET' ? undefined : body,
      headersTimeout: 15_000,
      bodyTimeout: 15_000,
    });
    status = res.statusCode;
    output = (await res.body.text()).slice(0, 20_000);
  } catch (e) {
    output = `request failed: ${e instanceof Error ? e.message : String(e)}`;
  }
  output = redact(output, secrets).slice(0, 4000);
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx, live) => {
    await appendTimeline(
      trx,
      {
        incidentId: inc.id,
        at: now,
        type: 'action.run',
        actor,
        via,
        message: `${actor.name} ran ${name}: ${status === null ? 'failed' : `HTTP ${status}`}\n${output}`,
        data: { action: name, status, output, args: redact(args, secrets) },
      },
      live,
    );
    await audit(trx, now, actor, 'action.run', row.id, { incidentId: inc.id, status });
  });
  return { status, output };
}
