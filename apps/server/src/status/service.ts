/**
 * Status verbs: business services, status pages, templates, status updates (with fan-out to
 * stakeholders through the outbox), subscriptions with double opt-in, maintenance windows and the
 * internal "where to go" status. Every verb checks permission first, normalizes, writes, audits.
 */
import { can, requirePermission, requirePermissionSomewhere, requireSelfOr, type Actor, type Role, type Via } from '../auth/actor.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { findIncident } from '../incident/service.js';
import { appendTimeline } from '../incident/timeline.js';
import { defaultEgress, requireEgressUrl, requireEgressUrlResolved } from '../lib/egress.js';
import { AppError, invalid, notFound } from '../lib/errors.js';
import { formatUtc } from '../lib/format.js';
import { newId, sha256 } from '../lib/ids.js';
import { parse } from '../lib/validate.js';
import { enqueueMessage } from '../notify/outbox.js';
import type { Channel, StatusUpdateMessage } from '../notify/types.js';
import { findService } from '../service/service.js';
import { findTeam } from '../team/service.js';
import { normalizeAddress } from '../user/service.js';
import { invalidateStatusCache, pageUrl } from './page.js';
import {
  allPages,
  businessImpactOf,
  businessServiceIdByName,
  businessServicesOfIncident,
  cancelMaintenanceRow,
  clearDefaultPage,
  confirmSubscriptionRow,
  currentMaintenance,
  DEFAULT_COLORS,
  deleteBusinessServiceLinks,
  deleteBusinessServiceRow,
  deleteBusinessServiceSubscriptions,
  deleteSubscriptionRow,
  hasVerifiedContact,
  incidentImpactOrThrow,
  incidentRowOrThrow,
  insertBusinessService,
  insertBusinessServiceLink,
  insertMaintenance,
  insertStatusUpdate,
  insertSubscription,
  insertTemplate,
  latestPublicTitle,
  latestUpdateRow,
  listPages,
  listSubscriptionRows,
  listTemplateRows,
  loadBusinessServices,
  maintenanceOrThrow,
  pageBusinessServiceIds,
  pageBySlugOrThrow,
  pageEmailSubscription,
  pageRowForSubscription,
  pastMaintenance,
  publicTitleOf,
  runningMajorIncidents,
  serviceTeam,
  serviceTeams,
  setPageBusinessServiceIds,
  severityLevelRow,
  subscriberUser,
  subscriptionExists,
  subscriptionOrThrow,
  subscriptionOwner,
  subscriptionsForScopes,
  subscriptionsForUpdate,
  subscriptionToken,
  templatesOfPhase,
  updateBusinessServiceRow,
  updateFromRow,
  updateRowsOf,
  upsertPageBySlug,
  verifySubscriptionToken,
} from './store.js';
import { setSeverityUpdateInterval } from '../incident/store.js';
import {
  BusinessServiceInput,
  MaintenanceInput,
  PHASES,
  StatusPageInput,
  StatusUpdateInput,
  SubscriptionInput,
  TemplateInput,
  type BusinessService,
  type MaintenanceWindow,
  type Phase,
  type StatusPage,
  type StatusUpdate,
  type Subscription,
} from './types.js';
import { must } from '../lib/must.js';

const PHASE_LABEL: Record<Phase, string> = { investigating: 'Investigating', identified: 'Identified', monitoring: 'Monitoring', resolved: 'Resolved' };

/** Default texts when no template matches a phase. */
const DEFAULT_TEMPLATES: Record<Phase, string> = {
  investigating: 'We are investigating a problem affecting {{services}}.',
  identified: 'We have identified the cause of the problem affecting {{services}} and are working on a fix.',
  monitoring: 'A fix has been applied to {{services}}; we are monitoring the results.',
  resolved: 'The problem affecting {{services}} has been resolved.',
};

async function resolveServiceIds(db: Tx, refs: string[], path: string): Promise<string[]> {
  const out: string[] = [];
  for (const [i, ref] of refs.entries()) {
    const s = await findService(db, ref);
    if (!s) throw invalid(`${path}.${i}: unknown service "${ref}"`, [{ path: `${path}.${i}`, message: 'unknown service' }]);
    if (!out.includes(s.id)) out.push(s.id);
  }
  return out;
}

async function resolveBusinessServiceIds(db: Tx, refs: string[], path: string): Promise<string[]> {
  const all = await loadBusinessServices(db);
  return refs.map((ref, i) => {
    const b = all.find((x) => x.id === ref || x.name === ref);
    if (!b) throw invalid(`${path}.${i}: unknown business service "${ref}"`, [{ path: `${path}.${i}`, message: 'unknown business service' }]);
    return b.id;
  });
}

/** Business services with the technical services they map to. */
export async function listBusinessServices(ctx: Ctx, actor: Actor): Promise<BusinessService[]> {
  requirePermission(actor, 'read');
  return loadBusinessServices(ctx.db.kysely);
}

/** Creates a business service mapped to technical services. */
export async function createBusinessService(ctx: Ctx, actor: Actor, input: unknown): Promise<BusinessService> {
  requirePermission(actor, 'admin');
  return saveBusinessService(ctx, actor, null, parse(BusinessServiceInput, input, 'business service'));
}

/** Replaces a business service. */
export async function updateBusinessService(ctx: Ctx, actor: Actor, id: string, input: unknown): Promise<BusinessService> {
  requirePermission(actor, 'admin');
  return saveBusinessService(ctx, actor, id, parse(BusinessServiceInput, input, 'business service'));
}

async function saveBusinessService(ctx: Ctx, actor: Actor, id: string | null, v: BusinessServiceInput): Promise<BusinessService> {
  const now = ctx.clock.now();
  const bsId = await inTransaction(ctx, async (trx) => {
    const serviceIds = await resolveServiceIds(trx, v.serviceIds, 'serviceIds');
    let teamId: string | null = null;
    if (v.teamId) {
      const t = await findTeam(trx, v.teamId);
      if (!t) throw invalid('teamId: unknown team', [{ path: 'teamId', message: 'unknown team' }]);
      teamId = t.id;
    }
    const clash = await businessServiceIdByName(trx, v.name.trim());
    if (clash && clash.id !== id) throw new AppError('conflict', `A business service named "${v.name}" exists`);
    const row = { name: v.name.trim(), description: v.description ?? '', team_id: teamId, position: v.position ?? 0, updated_at: now };
    let theId = id;
    if (theId) {
      if (!(await updateBusinessServiceRow(trx, theId, row))) throw notFound('Business service');
      await deleteBusinessServiceLinks(trx, theId);
    } else {
      theId = newId();
      await insertBusinessService(trx, theId, row, now);
    }
    for (const s of serviceIds) await insertBusinessServiceLink(trx, theId, s);
    await audit(trx, now, actor, id ? 'business_service.update' : 'business_service.create', theId, { name: row.name, serviceIds });
    return theId;
  });
  invalidateStatusCache();
  return must(
    (await loadBusinessServices(ctx.db.kysely)).find((b) => b.id === bsId),
    'the business service just written',
  );
}

/** Deletes a business service. */
export async function deleteBusinessService(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'admin');
  await inTransaction(ctx, async (trx) => {
    await deleteBusinessServiceLinks(trx, id);
    if (!(await deleteBusinessServiceRow(trx, id))) throw notFound('Business service');
    // Status pages stop showing it and its subscriptions go: nothing would ever reach them.
    for (const p of await pageBusinessServiceIds(trx)) {
      const ids = JSON.parse(p.business_service_ids) as string[];
      if (ids.includes(id)) await setPageBusinessServiceIds(trx, p.id, JSON.stringify(ids.filter((x) => x !== id)));
    }
    const subscriptionsRemoved = await deleteBusinessServiceSubscriptions(trx, id);
    await audit(trx, ctx.clock.now(), actor, 'business_service.delete', id, { subscriptionsRemoved });
  });
  invalidateStatusCache();
}

/** The business services an incident affects. */
export async function incidentBusinessServices(ctx: Ctx, actor: Actor, idOrNumber: string): Promise<BusinessService[]> {
  requirePermission(actor, 'read');
  const i = await findIncident(ctx.db.kysely, idOrNumber);
  if (!i) throw notFound('Incident');
  const row = await incidentImpactOrThrow(ctx.db.kysely, i.id);
  return businessServicesOfIncident(ctx.db.kysely, row);
}

/** Slugs that would clash with /status/api/... and /status/subscriptions/... */
export const RESERVED_SLUGS = ['api', 'subscriptions'];

/** Status pages. */
export async function listStatusPages(ctx: Ctx, actor: Actor): Promise<StatusPage[]> {
  requirePermission(actor, 'read');
  return listPages(ctx.db.kysely);
}

/** Creates or replaces (by slug) a status page. */
export async function saveStatusPage(ctx: Ctx, actor: Actor, input: unknown): Promise<StatusPage> {
  requirePermission(actor, 'admin');
  const v = parse(StatusPageInput, input, 'status page');
  if (RESERVED_SLUGS.includes(v.slug)) throw invalid(`slug: "${v.slug}" is reserved (it is part of the status pages' own addresses)`, [{ path: 'slug', message: 'is reserved' }]);
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx) => {
    const ids = await resolveBusinessServiceIds(trx, v.businessServiceIds, 'businessServiceIds');
    const row = {
      name: v.name.trim(),
      logo_url: v.logoUrl ?? null,
      colors: JSON.stringify({ ...DEFAULT_COLORS, ...v.colors }),
      business_service_ids: JSON.stringify(ids),
      is_default: v.isDefault ? 1 : 0,
      updated_at: now,
    };
    if (v.isDefault) await clearDefaultPage(trx);
    await upsertPageBySlug(trx, v.slug, row, now, newId);
    await audit(trx, now, actor, 'status_page.save', v.slug, { name: row.name, businessServiceIds: ids });
  });
  invalidateStatusCache();
  return pageBySlugOrThrow(ctx.db.kysely, v.slug);
}

/** Update templates. */
export async function listTemplates(ctx: Ctx, actor: Actor) {
  requirePermission(actor, 'read');
  const rows = await listTemplateRows(ctx.db.kysely);
  return rows.map((r) => ({ id: r.id, phase: r.phase, sev: r.sev, body: r.body }));
}

/** Adds an update template for a phase (and optionally a severity level). */
export async function createTemplate(ctx: Ctx, actor: Actor, input: unknown) {
  requirePermission(actor, 'admin');
  const v = parse(TemplateInput, input, 'template');
  const now = ctx.clock.now();
  const id = newId();
  await inTransaction(ctx, async (trx) => {
    await insertTemplate(trx, { id, phase: v.phase, sev: v.sev ?? null, body: v.body, created_at: now });
    await audit(trx, now, actor, 'status_template.create', id, { phase: v.phase, sev: v.sev ?? null });
  });
  return { id, phase: v.phase, sev: v.sev ?? null, body: v.body };
}

/** Sets the minutes between status updates for a severity level (null: no reminders). */
export async function setUpdateInterval(ctx: Ctx, actor: Actor, sev: string, minutes: number | null): Promise<void> {
  requirePermission(actor, 'admin');
  if (minutes !== null && (!Number.isInteger(minutes) || minutes < 1 || minutes > 10_080)) throw invalid('minutes: 1..10080 or null', [{ path: 'minutes', message: 'out of range' }]);
  await inTransaction(ctx, async (trx) => {
    if (!(await setSeverityUpdateInterval(trx, sev, minutes))) throw notFound('Severity level');
    await audit(trx, ctx.clock.now(), actor, 'severity_level.update_interval', sev, { minutes });
  });
}

function fill(body: string, vars: Record<string, string>): string {
  return body.replace(/\{\{\s*(\w+)\s*\}\}/g, (m, k: string) => vars[k] ?? m);
}

/**
 * Posts a status update on an incident (the incident manager, from the web app, the war room's
 * /update, the API or the CLI). Public updates go to status pages and external subscribers;
 * internal ones only to signed-in stakeholders. Drills reach nobody.
 */
export async function postStatusUpdate(ctx: Ctx, actor: Actor, incidentId: string, input: unknown, via: Via = 'api'): Promise<StatusUpdate> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const v = parse(StatusUpdateInput, input, 'status update');
  const now = ctx.clock.now();
  const found = await findIncident(ctx.db.kysely, incidentId);
  if (!found) throw notFound('Incident');
  requirePermission(actor, 'incident.respond', (await findService(ctx.db.kysely, found.serviceId))?.teamId ?? null);
  const update = await inTransaction(ctx, async (trx, live) => {
    const inc = await incidentRowOrThrow(trx, found.id);
    const bs = await businessServicesOfIncident(trx, inc);
    const level = inc.sev ? await severityLevelRow(trx, inc.sev) : undefined;
    const impact = (v.businessImpact ?? businessImpactOf(inc.impact)).trim();
    // What customers see as the incident's title: given now, else the one given before, else neutral.
    const earlier = await latestPublicTitle(trx, inc.id);
    const publicTitle = publicTitleOf(
      [{ publicTitle: v.publicTitle?.trim() || null }, { publicTitle: earlier?.public_title ?? null }],
      bs.map((b) => b.name),
    );
    let message = v.message?.trim();
    if (!message) {
      const templates = await templatesOfPhase(trx, v.phase);
      const t = templates.find((x) => x.sev !== null && x.sev === inc.sev) ?? templates.find((x) => x.sev === null);
      // A public update's {{title}} is the public title: the internal one never reaches a status page.
      message = fill(t?.body ?? DEFAULT_TEMPLATES[v.phase], { title: v.public ? publicTitle : inc.title, services: bs.map((b) => b.name).join(', ') || found.serviceName, impact, sev: inc.sev ?? '' });
    }
    const interval = level?.update_interval_minutes ?? null;
    const nextUpdateAt = v.phase === 'resolved' ? null : v.nextUpdateInMinutes ? now + v.nextUpdateInMinutes * 60_000 : interval ? now + interval * 60_000 : null;
    const row = {
      id: newId(),
      incident_id: inc.id,
      at: now,
      author_id: actor.type === 'user' ? actor.id : null,
      author_name: actor.type === 'system' ? actor.name : actor.name,
      phase: v.phase,
      message,
      business_impact: impact,
      next_update_at: nextUpdateAt,
      public: v.public ? 1 : 0,
      public_title: v.publicTitle?.trim() || null,
    };
    await insertStatusUpdate(trx, row);
    await appendTimeline(
      trx,
      {
        incidentId: inc.id,
        at: now,
        type: 'status.update',
        actor,
        via,
        message: `${v.public ? 'Public' : 'Internal'} status update (${v.phase}): ${message.slice(0, 200)}`,
        data: { updateId: row.id, phase: v.phase, public: v.public === true },
      },
      live,
    );
    await audit(trx, now, actor, 'status_update.create', inc.id, { updateId: row.id, phase: v.phase, public: v.public === true });
    if (Number(inc.drill) !== 1) await fanOut(ctx, trx, now, inc, bs, updateFromRow(row), publicTitle);
    return updateFromRow(row);
  });
  invalidateStatusCache();
  ctx.wake();
  return update;
}

/** Writes one outbox message per matching confirmed subscription (deduplicated by channel and destination). */
async function fanOut(
  ctx: Ctx,
  trx: Tx,
  now: number,
  inc: { id: string; number: number; title: string; service_id: string; major: number; sev: string | null },
  bs: BusinessService[],
  u: StatusUpdate,
  publicTitle: string,
): Promise<void> {
  const bsIds = bs.map((b) => b.id);
  const svc = await serviceTeam(trx, inc.service_id);
  const teamIds = [...new Set([svc?.team_id, ...bs.map((b) => b.teamId)].filter((x): x is string => !!x))];
  const pages = await allPages(trx);
  const pageIds = [...pages.filter((p) => p.businessServiceIds.some((b) => bsIds.includes(b))).map((p) => p.id), ...(pages.length === 0 && bs.length ? ['default'] : [])];
  const subs = await subscriptionsForUpdate(trx, { incidentId: inc.id, bsIds, teamIds, major: Number(inc.major) === 1, pageIds: u.public ? pageIds : [] });
  const seen = new Set<string>();
  const where = bs.map((b) => b.name).join(', ');
  for (const s of subs) {
    // Internal updates (and the internal title) go only to people who still exist and whose role may
    // read incidents; everyone else (external subscribers, no user) is treated as the public.
    const reader = s.user_id !== null && !!s.user_role && can({ type: 'user', id: s.user_id, name: '', role: s.user_role as Role }, 'read');
    if (!u.public && !reader) continue;
    const key = `${s.channel}|${s.destination}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const external = !reader;
    const url = external ? pageUrl(ctx.publicUrl, pages.find((p) => p.id === s.target_id)?.slug ?? '') : `${ctx.publicUrl}/incidents/${inc.number}`;
    // Outside subscribers read the public title; signed-in people the incident's own.
    const title = external ? publicTitle : inc.title;
    const lines = [`${PHASE_LABEL[u.phase]}: ${title}`, '', u.message];
    if (u.businessImpact && (!external || u.public)) lines.push('', `Impact: ${u.businessImpact}`);
    if (where) lines.push(`Affected: ${where}`);
    if (!external && inc.sev) lines.push(`Severity: ${inc.sev}${u.public ? '' : ' (internal update)'}`);
    if (u.nextUpdateAt) lines.push(`Next update by ${formatUtc(u.nextUpdateAt)}`);
    const message: StatusUpdateMessage = {
      kind: 'status_update',
      event: 'update',
      subject: `[${PHASE_LABEL[u.phase]}] ${title}`,
      text: lines.join('\n'),
      url,
      incidentId: inc.id,
      phase: u.phase,
      unsubscribeUrl: `${ctx.publicUrl}/status/subscriptions/${subscriptionToken(ctx.linkSecret, s.id)}/unsubscribe`,
    };
    await enqueueMessage(trx, now, { channel: s.channel as Channel, destination: s.destination, message, userId: s.user_id, incidentId: inc.id });
  }
}

/** An incident's status updates, newest first. */
export async function listStatusUpdates(ctx: Ctx, actor: Actor, incidentId: string): Promise<StatusUpdate[]> {
  requirePermission(actor, 'read');
  const i = await findIncident(ctx.db.kysely, incidentId);
  if (!i) throw notFound('Incident');
  const rows = await updateRowsOf(ctx.db.kysely, i.id);
  return rows.map(updateFromRow);
}

/**
 * Subscribes a signed-in stakeholder (or, for admins, any user) to updates. The destination must
 * confirm before anything is sent to it: confirmed at once only when it is the user's account email
 * (set by an admin; users cannot change it) or one of the user's verified contact methods of that
 * channel (confirmed by its code). Any other address gets a confirmation message (for a webhook, a
 * signed `status.confirm` POST) whose link must be POSTed. Webhook and push destinations must pass
 * the egress policy (400 otherwise).
 */
export async function subscribe(ctx: Ctx, actor: Actor, input: unknown): Promise<Subscription> {
  requirePermission(actor, 'self.manage');
  const v = parse(SubscriptionInput, input, 'subscription');
  const userId = v.userId ?? (actor.type === 'user' ? actor.id : '');
  requireSelfOr(actor, userId, 'admin');
  // A webhook or push destination's host name is resolved and checked now, before the transaction (DNS can be slow).
  if ((v.channel === 'webhook' || v.channel === 'push') && v.destination) {
    const addr = normalizeAddress(v.channel as Channel, v.destination.trim());
    if (!('error' in addr)) {
      const url = v.channel === 'push' ? (JSON.parse(addr.value) as { endpoint: string }).endpoint : addr.value;
      await requireEgressUrlResolved(ctx.egress ?? defaultEgress(), url, v.channel === 'push' ? 'destination.endpoint' : 'destination');
    }
  }
  const now = ctx.clock.now();
  const id = newId();
  let confirmSent = false;
  await inTransaction(ctx, async (trx) => {
    const user = await subscriberUser(trx, userId);
    if (!user) throw invalid('userId: unknown user', [{ path: 'userId', message: 'unknown user' }]);
    let target: string | null = null;
    if (v.scope === 'major') target = null;
    else if (!v.targetId) throw invalid('targetId: required for this scope', [{ path: 'targetId', message: 'required' }]);
    else if (v.scope === 'team') target = (await findTeam(trx, v.targetId))?.id ?? null;
    else if (v.scope === 'incident') target = (await findIncident(trx, v.targetId))?.id ?? null;
    else target = (await loadBusinessServices(trx)).find((b) => b.id === v.targetId || b.name === v.targetId)?.id ?? null;
    if (v.scope !== 'major' && !target) throw invalid(`targetId: unknown ${v.scope.replace('_', ' ')}`, [{ path: 'targetId', message: 'not found' }]);
    const channel = v.channel ?? 'email';
    const raw = (v.destination ?? (channel === 'email' ? user.email : '')).trim();
    if (!raw) throw invalid('destination: required for this channel', [{ path: 'destination', message: 'required' }]);
    const destination = subscriptionDestination(ctx, channel, raw);
    const vouched = (channel === 'email' && destination === user.email.toLowerCase()) || (await hasVerifiedContact(trx, user.id, channel, destination));
    const token = subscriptionToken(ctx.linkSecret, id);
    await insertSubscription(trx, { id, scope: v.scope, target_id: target, user_id: user.id, channel, destination, confirmed_at: vouched ? now : null, token_hash: sha256(token), created_at: now });
    if (!vouched) {
      const message: StatusUpdateMessage = {
        kind: 'status_update',
        event: 'confirm',
        subject: 'Confirm your Klaxon status subscription',
        text: `${user.name} asked for Klaxon status updates to be sent here (${channel} ${destination}).\nNothing is sent until this is confirmed: POST the link below (or open it and press the button). If it was not expected, ignore this and nothing will be sent.`,
        url: `${ctx.publicUrl}/status/subscriptions/${token}/confirm`,
        incidentId: null,
        phase: null,
        unsubscribeUrl: null,
      };
      await enqueueMessage(trx, now, { channel: channel as Channel, destination, message, userId: user.id });
      confirmSent = true;
    }
    await audit(trx, now, actor, 'status_subscription.create', id, { scope: v.scope, target, userId: user.id, channel, confirmed: vouched });
  });
  if (confirmSent) ctx.wake();
  return subscriptionOrThrow(ctx.db.kysely, id);
}

/** A subscription destination checked and normalised for its channel; webhook URLs and push endpoints must pass the egress policy. */
function subscriptionDestination(ctx: Ctx, channel: string, raw: string): string {
  const addr = normalizeAddress(channel as Channel, raw);
  if ('error' in addr) throw invalid(`destination: ${addr.error}`, [{ path: 'destination', message: addr.error }]);
  const egress = ctx.egress ?? defaultEgress();
  if (channel === 'webhook') return requireEgressUrl(egress, addr.value, 'destination');
  if (channel === 'push') requireEgressUrl(egress, (JSON.parse(addr.value) as { endpoint: string }).endpoint, 'destination.endpoint');
  return addr.value;
}

/** Subscriptions: your own, or everyone's for admins. */
export async function listSubscriptions(ctx: Ctx, actor: Actor): Promise<Subscription[]> {
  requirePermission(actor, 'read');
  return listSubscriptionRows(ctx.db.kysely, actor.type === 'user' && actor.role !== 'admin' ? actor.id : null);
}

/** Deletes a subscription (your own, or any for admins). */
export async function deleteSubscription(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'read');
  const s = await subscriptionOwner(ctx.db.kysely, id);
  if (!s) throw notFound('Subscription');
  requireSelfOr(actor, s.user_id ?? '', 'admin');
  await inTransaction(ctx, async (trx) => {
    await deleteSubscriptionRow(trx, id);
    await audit(trx, ctx.clock.now(), actor, 'status_subscription.delete', id, {});
  });
}

/**
 * A visitor of a public status page subscribes by email: an unconfirmed subscription and a
 * confirmation email (double opt-in). Public: no actor; answers the same whether or not the
 * address was already subscribed.
 */
export async function subscribeByEmail(ctx: Ctx, slug: string | null, email: unknown): Promise<void> {
  const address = typeof email === 'string' ? email.trim().toLowerCase() : '';
  if (address.length > 254 || !/^[^\s@<>"]+@[^\s@<>"]+\.[^\s@<>"]+$/.test(address)) throw invalid('email: not an email address', [{ path: 'email', message: 'not an email address' }]);
  const now = ctx.clock.now();
  await inTransaction(ctx, async (trx) => {
    const page = await pageRowForSubscription(trx, slug);
    if (slug !== null && !page) throw notFound('Status page');
    const pageId = page?.id ?? 'default';
    const existing = await pageEmailSubscription(trx, pageId, address);
    if (existing?.confirmed_at != null) return;
    const id = existing?.id ?? newId();
    const token = subscriptionToken(ctx.linkSecret, id);
    if (!existing) {
      await insertSubscription(trx, { id, scope: 'page', target_id: pageId, user_id: null, channel: 'email', destination: address, confirmed_at: null, token_hash: sha256(token), created_at: now });
    }
    const name = page?.name ?? 'Status';
    const message: StatusUpdateMessage = {
      kind: 'status_update',
      event: 'confirm',
      subject: `Confirm your subscription to ${name}`,
      text: `Someone (hopefully you) asked to receive updates from ${name} at ${address}.\nConfirm with the link below; if it was not you, ignore this email and nothing will be sent.`,
      url: `${ctx.publicUrl}/status/subscriptions/${token}/confirm`,
      incidentId: null,
      phase: null,
      unsubscribeUrl: null,
    };
    await enqueueMessage(trx, now, { channel: 'email', destination: address, message });
    await audit(trx, now, { type: 'system', name: 'status page' }, 'status_subscription.request', id, { pageId });
  });
  ctx.wake();
}

/** Confirms an email subscription from its link. False when the token is forged or unknown. */
export async function confirmSubscription(ctx: Ctx, token: string): Promise<boolean> {
  const id = verifySubscriptionToken(ctx.linkSecret, token);
  if (!id) return false;
  if (await confirmSubscriptionRow(ctx.db.kysely, id, ctx.clock.now())) return true;
  return subscriptionExists(ctx.db.kysely, id);
}

/** Removes a subscription from its unsubscribe link (one click, RFC 8058). True also when it was already gone. */
export async function unsubscribe(ctx: Ctx, token: string): Promise<boolean> {
  const id = verifySubscriptionToken(ctx.linkSecret, token);
  if (!id) return false;
  await inTransaction(ctx, async (trx) => {
    if (await deleteSubscriptionRow(trx, id)) await audit(trx, ctx.clock.now(), { type: 'system', name: 'unsubscribe link' }, 'status_subscription.delete', id, {});
  });
  return true;
}

/** Schedules a maintenance window: announced on status pages now, suppresses paging while it runs. */
export async function createMaintenance(ctx: Ctx, actor: Actor, input: unknown): Promise<MaintenanceWindow> {
  requirePermission(actor, 'admin');
  const v = parse(MaintenanceInput, input, 'maintenance window');
  const startsAt = Date.parse(v.startsAt);
  const endsAt = Date.parse(v.endsAt);
  if (Number.isNaN(startsAt)) throw invalid('startsAt: not a date-time', [{ path: 'startsAt', message: 'not a date-time' }]);
  if (Number.isNaN(endsAt) || endsAt <= startsAt) throw invalid('endsAt: must be a date-time after startsAt', [{ path: 'endsAt', message: 'must be after startsAt' }]);
  const now = ctx.clock.now();
  const id = newId();
  await inTransaction(ctx, async (trx) => {
    const serviceIds = await resolveServiceIds(trx, v.serviceIds ?? [], 'serviceIds');
    const bsIds = await resolveBusinessServiceIds(trx, v.businessServiceIds ?? [], 'businessServiceIds');
    if (!serviceIds.length && !bsIds.length) throw invalid('serviceIds: name at least one service or business service', [{ path: 'serviceIds', message: 'empty' }]);
    await insertMaintenance(trx, {
      id,
      title: v.title.trim(),
      description: v.description ?? '',
      service_ids: JSON.stringify(serviceIds),
      business_service_ids: JSON.stringify(bsIds),
      starts_at: startsAt,
      ends_at: endsAt,
      created_at: now,
      cancelled_at: null,
    });
    const announced = v.announce
      ? await announceMaintenance(ctx, trx, now, { id, title: v.title.trim(), description: v.description ?? '', serviceIds, businessServiceIds: bsIds, startsAt, endsAt })
      : 0;
    await audit(trx, now, actor, 'maintenance.create', id, { title: v.title, serviceIds, businessServiceIds: bsIds, startsAt, endsAt, announced });
  });
  invalidateStatusCache();
  if (v.announce) ctx.wake();
  return maintenanceOrThrow(ctx.db.kysely, id);
}

const utc = formatUtc;

/**
 * Announces a maintenance window ahead: one outbox message (kind `status_update`, the subscriber
 * path of status updates) per confirmed subscription to an affected business service, the team of
 * one, or a status page showing one, deduplicated by channel and destination. Maintenance is public
 * information, so external (page) subscribers receive it too. Returns how many were queued.
 */
async function announceMaintenance(
  ctx: Ctx,
  trx: Tx,
  now: number,
  m: { id: string; title: string; description: string; serviceIds: string[]; businessServiceIds: string[]; startsAt: number; endsAt: number },
): Promise<number> {
  const all = await loadBusinessServices(trx);
  const bs = all.filter((b) => m.businessServiceIds.includes(b.id) || b.serviceIds.some((s) => m.serviceIds.includes(s)));
  const bsIds = bs.map((b) => b.id);
  const svcTeams = m.serviceIds.length ? await serviceTeams(trx, m.serviceIds) : [];
  const teamIds = [...new Set([...svcTeams.map((s) => s.team_id), ...bs.map((b) => b.teamId)].filter((x): x is string => !!x))];
  const pages = await allPages(trx);
  const pageIds = [...pages.filter((p) => p.businessServiceIds.some((b) => bsIds.includes(b))).map((p) => p.id), ...(pages.length === 0 && bs.length ? ['default'] : [])];
  const scopes = [...(bsIds.length ? [['business_service', bsIds] as const] : []), ...(teamIds.length ? [['team', teamIds] as const] : []), ...(pageIds.length ? [['page', pageIds] as const] : [])];
  if (!scopes.length) return 0;
  const subs = await subscriptionsForScopes(trx, scopes);
  const defaultPage = pages.find((p) => p.isDefault) ?? pages[0];
  const lines = [`Scheduled maintenance: ${m.title}`, '', `From ${utc(m.startsAt)} to ${utc(m.endsAt)}`];
  if (m.description.trim()) lines.push('', m.description.trim());
  if (bs.length) lines.push('', `Affected: ${bs.map((b) => b.name).join(', ')}`);
  const seen = new Set<string>();
  for (const s of subs) {
    const key = `${s.channel}|${s.destination}`;
    if (seen.has(key)) continue;
    seen.add(key);
    const page = pages.find((p) => p.id === s.target_id) ?? pages.find((p) => p.businessServiceIds.some((b) => bsIds.includes(b))) ?? defaultPage;
    const message: StatusUpdateMessage = {
      kind: 'status_update',
      event: 'update',
      subject: `[Scheduled maintenance] ${m.title}`,
      text: lines.join('\n'),
      url: `${pageUrl(ctx.publicUrl, page?.slug ?? '')}#maintenance-${m.id}`,
      incidentId: null,
      phase: null,
      unsubscribeUrl: `${ctx.publicUrl}/status/subscriptions/${subscriptionToken(ctx.linkSecret, s.id)}/unsubscribe`,
    };
    await enqueueMessage(trx, now, { channel: s.channel as Channel, destination: s.destination, message, userId: s.user_id });
  }
  return seen.size;
}

/** Maintenance windows running or announced; with `past`, also those that ended or were cancelled (most recent first, after the current ones). */
export async function listMaintenance(ctx: Ctx, actor: Actor, opts: { past?: boolean } = {}): Promise<MaintenanceWindow[]> {
  requirePermission(actor, 'read');
  const now = ctx.clock.now();
  const current = await currentMaintenance(ctx.db.kysely, now);
  return opts.past ? [...current, ...(await pastMaintenance(ctx.db.kysely, now))] : current;
}

/** Cancels a maintenance window. */
export async function cancelMaintenance(ctx: Ctx, actor: Actor, id: string): Promise<void> {
  requirePermission(actor, 'admin');
  await inTransaction(ctx, async (trx) => {
    if (!(await cancelMaintenanceRow(trx, id, ctx.clock.now()))) throw notFound('Maintenance window');
    await audit(trx, ctx.clock.now(), actor, 'maintenance.cancel', id, {});
  });
  invalidateStatusCache();
}

/** One running major incident on the internal status page. */
export interface InternalIncident {
  id: string;
  number: number;
  title: string;
  status: string;
  sev: string | null;
  incidentManager: { id: string; name: string } | null;
  businessServices: { id: string; name: string }[];
  latestUpdate: StatusUpdate | null;
  nextUpdateAt: number | null;
  warRoomUrl: string;
  bridgeUrl: string | null;
}

/** Where to go: the major incidents running now (not drills), for everyone signed in. */
export async function internalStatus(ctx: Ctx, actor: Actor): Promise<InternalIncident[]> {
  requirePermission(actor, 'read');
  const db = ctx.db.kysely;
  const rows = await runningMajorIncidents(db);
  const out: InternalIncident[] = [];
  for (const r of rows) {
    const latest = await latestUpdateRow(db, r.id);
    const bs = await businessServicesOfIncident(db, r);
    out.push({
      id: r.id,
      number: Number(r.number),
      title: r.title,
      status: r.status,
      sev: r.sev,
      incidentManager: r.incident_manager_id ? { id: r.incident_manager_id, name: r.im_name ?? r.incident_manager_id } : null,
      businessServices: bs.map((b) => ({ id: b.id, name: b.name })),
      latestUpdate: latest ? updateFromRow(latest) : null,
      nextUpdateAt: latest?.next_update_at == null ? null : Number(latest.next_update_at),
      warRoomUrl: `${ctx.publicUrl}/incidents/${r.number}/war-room`,
      bridgeUrl: r.bridge_url ?? null,
    });
  }
  return out;
}

/** Phases in order, for clients. */
export const STATUS_PHASES = PHASES;
