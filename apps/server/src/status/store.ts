/** SQL for the status domain: rows in, API types out. No permission checks here. */
import { createHmac } from 'node:crypto';
import { sql } from 'kysely';
import type { Tx } from '../context.js';
import { OPEN_STATUSES } from '../incident/types.js';
import { safeEqual } from '../lib/ids.js';
import type { BusinessService, Colors, MaintenanceWindow, Phase, StatusPage, StatusUpdate, Subscription } from './types.js';

/** Default colours of a status page. */
export const DEFAULT_COLORS: Colors = { brand: '#1d4ed8', background: '#ffffff', text: '#111827' };

/** All business services with their technical services, in display order. */
export async function loadBusinessServices(db: Tx): Promise<BusinessService[]> {
  const [rows, links] = await Promise.all([
    db.selectFrom('business_services').selectAll().orderBy('position').orderBy('name').execute(),
    db.selectFrom('business_service_links').selectAll().execute(),
  ]);
  const by = new Map<string, string[]>();
  for (const l of links) by.set(l.business_service_id, [...(by.get(l.business_service_id) ?? []), l.service_id]);
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    teamId: r.team_id,
    position: Number(r.position),
    serviceIds: by.get(r.id) ?? [],
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  }));
}

/** The business services an incident affects: those mapped to its service or to any service in its impact. */
export async function businessServicesOfIncident(db: Tx, incident: { service_id: string; impact: string }): Promise<BusinessService[]> {
  const ids = new Set([incident.service_id, ...affectedServiceIds(incident.impact)]);
  return (await loadBusinessServices(db)).filter((b) => b.serviceIds.some((s) => ids.has(s)));
}

/** affectedServiceIds from an incident's impact JSON (tolerant of anything malformed). */
export function affectedServiceIds(impact: string): string[] {
  try {
    const v = JSON.parse(impact) as { affectedServiceIds?: unknown };
    return Array.isArray(v.affectedServiceIds) ? v.affectedServiceIds.filter((x): x is string => typeof x === 'string') : [];
  } catch {
    return [];
  }
}

/** businessImpact from an incident's impact JSON. */
export function businessImpactOf(impact: string): string {
  try {
    const v = JSON.parse(impact) as { businessImpact?: unknown };
    return typeof v.businessImpact === 'string' ? v.businessImpact : '';
  } catch {
    return '';
  }
}

type PageRow = { id: string; slug: string; name: string; logo_url: string | null; colors: string; business_service_ids: string; is_default: number };

/** Maps a status page row. */
export function pageFromRow(r: PageRow): StatusPage {
  return {
    id: r.id,
    slug: r.slug,
    name: r.name,
    logoUrl: r.logo_url,
    colors: { ...DEFAULT_COLORS, ...(JSON.parse(r.colors) as Partial<Colors>) },
    businessServiceIds: JSON.parse(r.business_service_ids) as string[],
    isDefault: Number(r.is_default) === 1,
  };
}

/** A status page by slug; without a slug the default one (or a built-in page showing every business service). */
export async function findPage(db: Tx, slug: string | null): Promise<StatusPage | undefined> {
  if (slug !== null) {
    const r = await db.selectFrom('status_pages').selectAll().where('slug', '=', slug).executeTakeFirst();
    return r && pageFromRow(r);
  }
  const r = await db.selectFrom('status_pages').selectAll().orderBy('is_default', 'desc').orderBy('created_at').executeTakeFirst();
  if (r) return pageFromRow(r);
  return { id: 'default', slug: '', name: 'Status', logoUrl: null, colors: DEFAULT_COLORS, businessServiceIds: [], isDefault: true };
}

type UpdateRow = {
  id: string;
  incident_id: string;
  at: number;
  author_name: string;
  phase: string;
  message: string;
  business_impact: string;
  next_update_at: number | null;
  public: number;
  public_title?: string | null;
};

/** Maps a status update row. */
export function updateFromRow(r: UpdateRow): StatusUpdate {
  return {
    id: r.id,
    incidentId: r.incident_id,
    at: Number(r.at),
    author: r.author_name,
    phase: r.phase as Phase,
    message: r.message,
    businessImpact: r.business_impact,
    nextUpdateAt: r.next_update_at === null ? null : Number(r.next_update_at),
    public: Number(r.public) === 1,
    publicTitle: r.public_title ?? null,
  };
}

/**
 * The title customers see for an incident: the latest public title given with its updates (newest
 * first in `updates`), else a neutral "Issue affecting <business services>". Never the internal title.
 */
export function publicTitleOf(updates: { publicTitle: string | null }[], businessServiceNames: string[]): string {
  return updates.find((u) => u.publicTitle)?.publicTitle ?? `Issue affecting ${businessServiceNames.join(', ') || 'our services'}`;
}

/** Maps a maintenance window row. */
export function maintenanceFromRow(r: {
  id: string;
  title: string;
  description: string;
  service_ids: string;
  business_service_ids: string;
  starts_at: number;
  ends_at: number;
  cancelled_at: number | null;
  created_at: number;
}): MaintenanceWindow {
  return {
    id: r.id,
    title: r.title,
    description: r.description,
    serviceIds: JSON.parse(r.service_ids) as string[],
    businessServiceIds: JSON.parse(r.business_service_ids) as string[],
    startsAt: Number(r.starts_at),
    endsAt: Number(r.ends_at),
    cancelledAt: r.cancelled_at === null ? null : Number(r.cancelled_at),
    createdAt: Number(r.created_at),
  };
}

/** Maintenance windows not cancelled that have not ended yet (running and announced), soonest first. */
export async function currentMaintenance(db: Tx, now: number): Promise<MaintenanceWindow[]> {
  const rows = await db.selectFrom('maintenance_windows').selectAll().where('ends_at', '>', now).where('cancelled_at', 'is', null).orderBy('starts_at').limit(200).execute();
  return rows.map(maintenanceFromRow);
}

/** Maintenance windows that ran to their end (not cancelled), most recently ended first. */
export async function completedMaintenance(db: Tx, now: number, limit = 50): Promise<MaintenanceWindow[]> {
  const rows = await db.selectFrom('maintenance_windows').selectAll().where('ends_at', '<=', now).where('cancelled_at', 'is', null).orderBy('ends_at', 'desc').limit(limit).execute();
  return rows.map(maintenanceFromRow);
}

/** Maintenance windows that ended or were cancelled, most recent first. */
export async function pastMaintenance(db: Tx, now: number, limit = 100): Promise<MaintenanceWindow[]> {
  const rows = await db
    .selectFrom('maintenance_windows')
    .selectAll()
    .where((eb) => eb.or([eb('ends_at', '<=', now), eb('cancelled_at', 'is not', null)]))
    .orderBy('starts_at', 'desc')
    .limit(limit)
    .execute();
  return rows.map(maintenanceFromRow);
}

/** The maintenance window running now that covers technical service `serviceId` (directly or through a business service), if any. */
export async function activeMaintenanceFor(db: Tx, serviceId: string, now: number): Promise<MaintenanceWindow | undefined> {
  const running = (await currentMaintenance(db, now)).filter((m) => m.startsAt <= now);
  if (!running.length) return undefined;
  const direct = running.find((m) => m.serviceIds.includes(serviceId));
  if (direct) return direct;
  const bs = await db.selectFrom('business_service_links').select('business_service_id').where('service_id', '=', serviceId).execute();
  const ids = new Set(bs.map((b) => b.business_service_id));
  return running.find((m) => m.businessServiceIds.some((b) => ids.has(b)));
}

/** Maps a subscription row. */
export function subscriptionFromRow(r: {
  id: string;
  scope: string;
  target_id: string | null;
  user_id: string | null;
  channel: string;
  destination: string;
  confirmed_at: number | null;
}): Subscription {
  return { id: r.id, scope: r.scope, targetId: r.target_id, userId: r.user_id, channel: r.channel, destination: r.destination, confirmed: r.confirmed_at !== null };
}

/** The capability token of a subscription (confirm and unsubscribe links): its id and an HMAC of it. */
export function subscriptionToken(secret: string, id: string): string {
  return `${id}.${createHmac('sha256', secret).update(`status-subscription:${id}`).digest('base64url')}`;
}

/** The subscription id a token names, or null when the token is forged. */
export function verifySubscriptionToken(secret: string, token: string): string | null {
  const id = token.split('.')[0] ?? '';
  return id && safeEqual(subscriptionToken(secret, id), token) ? id : null;
}

/** Open incidents whose severity level asks for status updates at an interval, with their incident manager (at most 500). */
export async function incidentsDueForUpdates(db: Tx) {
  return db
    .selectFrom('incidents')
    .innerJoin('severity_levels', 'severity_levels.name', 'incidents.sev')
    .innerJoin('users', 'users.id', 'incidents.incident_manager_id')
    .select([
      'incidents.id',
      'incidents.number',
      'incidents.title',
      'incidents.created_at',
      'incidents.sev',
      'incidents.drill',
      'severity_levels.update_interval_minutes as interval',
      'users.id as user_id',
      'users.email',
      'users.name',
    ])
    .where('incidents.status', 'in', OPEN_STATUSES)
    .where('severity_levels.update_interval_minutes', 'is not', null)
    .limit(500)
    .execute();
}

/** The time, next-update time and phase of an incident's latest status update. */
export async function latestUpdateTiming(db: Tx, incidentId: string) {
  return db.selectFrom('status_updates').select(['at', 'next_update_at', 'phase']).where('incident_id', '=', incidentId).orderBy('at', 'desc').orderBy('id', 'desc').executeTakeFirst();
}

/** Claims the reminder of (incident, due time); false when it was sent already. */
export async function claimStatusReminder(db: Tx, incidentId: string, dueAt: number, now: number): Promise<boolean> {
  const claimed = await db
    .insertInto('status_reminders')
    .values({ incident_id: incidentId, due_at: dueAt, sent_at: now })
    .onConflict((oc) => oc.columns(['incident_id', 'due_at']).doNothing())
    .returning('incident_id')
    .executeTakeFirst();
  return !!claimed;
}

/** Whether an incident has any status update. */
export async function hasStatusUpdate(db: Tx, incidentId: string): Promise<boolean> {
  return !!(await db.selectFrom('status_updates').select('id').where('incident_id', '=', incidentId).limit(1).executeTakeFirst());
}

// ---- Business services ----

/** The id of the business service with this name, if any. */
export async function businessServiceIdByName(db: Tx, name: string): Promise<{ id: string } | undefined> {
  return db.selectFrom('business_services').select('id').where('name', '=', name).executeTakeFirst();
}

type BusinessServiceFields = { name: string; description: string; team_id: string | null; position: number; updated_at: number };

/** Updates a business service; false when there is none with this id. */
export async function updateBusinessServiceRow(db: Tx, id: string, row: BusinessServiceFields): Promise<boolean> {
  const r = await db.updateTable('business_services').set(row).where('id', '=', id).executeTakeFirst();
  return !!r.numUpdatedRows;
}

/** Inserts a business service. */
export async function insertBusinessService(db: Tx, id: string, row: BusinessServiceFields, createdAt: number): Promise<void> {
  await db
    .insertInto('business_services')
    .values({ id, ...row, created_at: createdAt })
    .execute();
}

/** Removes every technical service link of a business service. */
export async function deleteBusinessServiceLinks(db: Tx, businessServiceId: string): Promise<void> {
  await db.deleteFrom('business_service_links').where('business_service_id', '=', businessServiceId).execute();
}

/** Links a business service to a technical service. */
export async function insertBusinessServiceLink(db: Tx, businessServiceId: string, serviceId: string): Promise<void> {
  await db.insertInto('business_service_links').values({ business_service_id: businessServiceId, service_id: serviceId }).execute();
}

/** Deletes a business service row; false when there was none. */
export async function deleteBusinessServiceRow(db: Tx, id: string): Promise<boolean> {
  const r = await db.deleteFrom('business_services').where('id', '=', id).executeTakeFirst();
  return !!r.numDeletedRows;
}

// ---- Status pages ----

/** Every status page's id and business services. */
export async function pageBusinessServiceIds(db: Tx): Promise<{ id: string; business_service_ids: string }[]> {
  return db.selectFrom('status_pages').select(['id', 'business_service_ids']).execute();
}

/** Sets the business services a status page shows (JSON). */
export async function setPageBusinessServiceIds(db: Tx, id: string, businessServiceIds: string): Promise<void> {
  await db.updateTable('status_pages').set({ business_service_ids: businessServiceIds }).where('id', '=', id).execute();
}

/** Every status page, oldest first. */
export async function listPages(db: Tx): Promise<StatusPage[]> {
  return (await db.selectFrom('status_pages').selectAll().orderBy('created_at').execute()).map(pageFromRow);
}

/** Every status page, in the database's order. */
export async function allPages(db: Tx): Promise<StatusPage[]> {
  return (await db.selectFrom('status_pages').selectAll().execute()).map(pageFromRow);
}

/** Makes no status page the default. */
export async function clearDefaultPage(db: Tx): Promise<void> {
  await db.updateTable('status_pages').set({ is_default: 0 }).execute();
}

type PageFields = { name: string; logo_url: string | null; colors: string; business_service_ids: string; is_default: number; updated_at: number };

/** Creates the status page with this slug, or replaces its fields when it exists. */
export async function upsertPageBySlug(db: Tx, slug: string, row: PageFields, now: number, newPageId: () => string): Promise<void> {
  const existing = await db.selectFrom('status_pages').select('id').where('slug', '=', slug).executeTakeFirst();
  if (existing) await db.updateTable('status_pages').set(row).where('id', '=', existing.id).execute();
  else
    await db
      .insertInto('status_pages')
      .values({ id: newPageId(), slug, ...row, created_at: now })
      .execute();
}

/** The status page with this slug; throws when there is none. */
export async function pageBySlugOrThrow(db: Tx, slug: string): Promise<StatusPage> {
  return pageFromRow(await db.selectFrom('status_pages').selectAll().where('slug', '=', slug).executeTakeFirstOrThrow());
}

/** The status page row with this slug; without a slug the default one (or the oldest). */
export async function pageRowForSubscription(db: Tx, slug: string | null) {
  return slug === null
    ? await db.selectFrom('status_pages').selectAll().orderBy('is_default', 'desc').orderBy('created_at').executeTakeFirst()
    : await db.selectFrom('status_pages').selectAll().where('slug', '=', slug).executeTakeFirst();
}

// ---- Templates and severity intervals ----

/** Every update template, by phase then age. */
export async function listTemplateRows(db: Tx) {
  return db.selectFrom('status_templates').selectAll().orderBy('phase').orderBy('created_at').execute();
}

/** Inserts an update template. */
export async function insertTemplate(db: Tx, row: { id: string; phase: string; sev: string | null; body: string; created_at: number }): Promise<void> {
  await db.insertInto('status_templates').values(row).execute();
}

/** The templates of a phase, newest first. */
export async function templatesOfPhase(db: Tx, phase: string) {
  return db.selectFrom('status_templates').selectAll().where('phase', '=', phase).orderBy('created_at', 'desc').execute();
}

// ---- Status updates ----

/** An incident's row; throws when there is none. */
export async function incidentRowOrThrow(db: Tx, id: string) {
  return db.selectFrom('incidents').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** An incident's service and impact; throws when there is none. */
export async function incidentImpactOrThrow(db: Tx, id: string): Promise<{ service_id: string; impact: string }> {
  return db.selectFrom('incidents').select(['service_id', 'impact']).where('id', '=', id).executeTakeFirstOrThrow();
}

/** A severity level's row. */
export async function severityLevelRow(db: Tx, name: string) {
  return db.selectFrom('severity_levels').selectAll().where('name', '=', name).executeTakeFirst();
}

/** The latest public title given with an incident's updates. */
export async function latestPublicTitle(db: Tx, incidentId: string): Promise<{ public_title: string | null } | undefined> {
  return db
    .selectFrom('status_updates')
    .select('public_title')
    .where('incident_id', '=', incidentId)
    .where('public_title', 'is not', null)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .executeTakeFirst();
}

/** Inserts a status update. */
export async function insertStatusUpdate(
  db: Tx,
  row: {
    id: string;
    incident_id: string;
    at: number;
    author_id: string | null;
    author_name: string;
    phase: string;
    message: string;
    business_impact: string;
    next_update_at: number | null;
    public: number;
    public_title: string | null;
  },
): Promise<void> {
  await db.insertInto('status_updates').values(row).execute();
}

/** An incident's status update rows, newest first. */
export async function updateRowsOf(db: Tx, incidentId: string) {
  return db.selectFrom('status_updates').selectAll().where('incident_id', '=', incidentId).orderBy('at', 'desc').orderBy('id', 'desc').execute();
}

/** An incident's latest status update row. */
export async function latestUpdateRow(db: Tx, incidentId: string) {
  return db.selectFrom('status_updates').selectAll().where('incident_id', '=', incidentId).orderBy('at', 'desc').orderBy('id', 'desc').executeTakeFirst();
}

/** The team of a technical service. */
export async function serviceTeam(db: Tx, serviceId: string): Promise<{ team_id: string | null } | undefined> {
  return db.selectFrom('services').select('team_id').where('id', '=', serviceId).executeTakeFirst();
}

/** The teams of technical services. */
export async function serviceTeams(db: Tx, serviceIds: string[]): Promise<{ team_id: string | null }[]> {
  return db.selectFrom('services').select('team_id').where('id', 'in', serviceIds).execute();
}

/**
 * The confirmed subscriptions an update of an incident reaches, with their user's role: to the
 * incident, its business services, its teams, major incidents (when `major`) and, when `pageIds`
 * is given (public updates), the status pages showing it.
 */
export async function subscriptionsForUpdate(db: Tx, o: { incidentId: string; bsIds: string[]; teamIds: string[]; major: boolean; pageIds: string[] }) {
  return db
    .selectFrom('status_subscriptions')
    .leftJoin('users', 'users.id', 'status_subscriptions.user_id')
    .selectAll('status_subscriptions')
    .select('users.role as user_role')
    .where('confirmed_at', 'is not', null)
    .where((eb) =>
      eb.or([
        eb.and([eb('scope', '=', 'incident'), eb('target_id', '=', o.incidentId)]),
        ...(o.bsIds.length ? [eb.and([eb('scope', '=', 'business_service'), eb('target_id', 'in', o.bsIds)])] : []),
        ...(o.teamIds.length ? [eb.and([eb('scope', '=', 'team'), eb('target_id', 'in', o.teamIds)])] : []),
        ...(o.major ? [eb('scope', '=', 'major')] : []),
        ...(o.pageIds.length ? [eb.and([eb('scope', '=', 'page'), eb('target_id', 'in', o.pageIds)])] : []),
      ]),
    )
    .execute();
}

/** Confirmed subscriptions to any of these (scope, targets) pairs, oldest first. */
export async function subscriptionsForScopes(db: Tx, scopes: readonly (readonly [string, readonly string[]])[]) {
  return db
    .selectFrom('status_subscriptions')
    .selectAll()
    .where('confirmed_at', 'is not', null)
    .where((eb) => eb.or(scopes.map(([scope, ids]) => eb.and([eb('scope', '=', scope), eb('target_id', 'in', [...ids])]))))
    .orderBy('created_at')
    .execute();
}

/** Running major incidents (not drills), by severity rank then newest, with incident manager, rank and bridge. */
export async function runningMajorIncidents(db: Tx) {
  return db
    .selectFrom('incidents')
    .leftJoin('users', 'users.id', 'incidents.incident_manager_id')
    .leftJoin('severity_levels', 'severity_levels.name', 'incidents.sev')
    .leftJoin('war_rooms', 'war_rooms.incident_id', 'incidents.id')
    .select([
      'incidents.id',
      'incidents.number',
      'incidents.title',
      'incidents.status',
      'incidents.sev',
      'incidents.service_id',
      'incidents.impact',
      'incidents.incident_manager_id',
      'users.name as im_name',
      'severity_levels.rank',
      'war_rooms.bridge_url',
    ])
    .where('incidents.major', '=', 1)
    .where('incidents.drill', '=', 0)
    .where('incidents.status', 'in', OPEN_STATUSES)
    .orderBy('severity_levels.rank')
    .orderBy('incidents.number', 'desc')
    .execute();
}

// ---- Subscriptions ----

/** A user's id, email and name. */
export async function subscriberUser(db: Tx, id: string): Promise<{ id: string; email: string; name: string } | undefined> {
  return db.selectFrom('users').select(['id', 'email', 'name']).where('id', '=', id).executeTakeFirst();
}

/** Whether a user has a verified contact method of this type and address. */
export async function hasVerifiedContact(db: Tx, userId: string, type: string, address: string): Promise<boolean> {
  return !!(await db
    .selectFrom('contact_methods')
    .select('id')
    .where('user_id', '=', userId)
    .where('type', '=', type)
    .where('address', '=', address)
    .where('verified_at', 'is not', null)
    .executeTakeFirst());
}

/** Inserts a subscription. */
export async function insertSubscription(
  db: Tx,
  row: { id: string; scope: string; target_id: string | null; user_id: string | null; channel: string; destination: string; confirmed_at: number | null; token_hash: string; created_at: number },
): Promise<void> {
  await db.insertInto('status_subscriptions').values(row).execute();
}

/** A subscription; throws when there is none. */
export async function subscriptionOrThrow(db: Tx, id: string): Promise<Subscription> {
  return subscriptionFromRow(await db.selectFrom('status_subscriptions').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
}

/** Subscriptions, oldest first: everyone's, or one user's. */
export async function listSubscriptionRows(db: Tx, userId: string | null): Promise<Subscription[]> {
  let q = db.selectFrom('status_subscriptions').selectAll().orderBy('created_at');
  if (userId !== null) q = q.where('user_id', '=', userId);
  return (await q.execute()).map(subscriptionFromRow);
}

/** A subscription's id and user. */
export async function subscriptionOwner(db: Tx, id: string): Promise<{ id: string; user_id: string | null } | undefined> {
  return db.selectFrom('status_subscriptions').select(['id', 'user_id']).where('id', '=', id).executeTakeFirst();
}

/** Deletes a subscription; false when there was none. */
export async function deleteSubscriptionRow(db: Tx, id: string): Promise<boolean> {
  const r = await db.deleteFrom('status_subscriptions').where('id', '=', id).executeTakeFirst();
  return !!r.numDeletedRows;
}

/** Deletes the subscriptions to a business service; how many. */
export async function deleteBusinessServiceSubscriptions(db: Tx, businessServiceId: string): Promise<number> {
  const subs = await db.deleteFrom('status_subscriptions').where('scope', '=', 'business_service').where('target_id', '=', businessServiceId).executeTakeFirst();
  return Number(subs.numDeletedRows);
}

/** The email subscription of an address to a status page, if any. */
export async function pageEmailSubscription(db: Tx, pageId: string, address: string): Promise<{ id: string; confirmed_at: number | null } | undefined> {
  return db
    .selectFrom('status_subscriptions')
    .select(['id', 'confirmed_at'])
    .where('scope', '=', 'page')
    .where('target_id', '=', pageId)
    .where('channel', '=', 'email')
    .where('destination', '=', address)
    .executeTakeFirst();
}

/** Confirms a subscription not confirmed yet; false when it was confirmed already or does not exist. */
export async function confirmSubscriptionRow(db: Tx, id: string, now: number): Promise<boolean> {
  const r = await db.updateTable('status_subscriptions').set({ confirmed_at: now }).where('id', '=', id).where('confirmed_at', 'is', null).executeTakeFirst();
  return !!r.numUpdatedRows;
}

/** Whether a subscription exists. */
export async function subscriptionExists(db: Tx, id: string): Promise<boolean> {
  return !!(await db.selectFrom('status_subscriptions').select('id').where('id', '=', id).executeTakeFirst());
}

// ---- Maintenance ----

/** Inserts a maintenance window. */
export async function insertMaintenance(
  db: Tx,
  row: { id: string; title: string; description: string; service_ids: string; business_service_ids: string; starts_at: number; ends_at: number; created_at: number; cancelled_at: null },
): Promise<void> {
  await db.insertInto('maintenance_windows').values(row).execute();
}

/** A maintenance window; throws when there is none. */
export async function maintenanceOrThrow(db: Tx, id: string): Promise<MaintenanceWindow> {
  return maintenanceFromRow(await db.selectFrom('maintenance_windows').selectAll().where('id', '=', id).executeTakeFirstOrThrow());
}

/** Cancels a maintenance window not cancelled yet; false otherwise. */
export async function cancelMaintenanceRow(db: Tx, id: string, now: number): Promise<boolean> {
  const r = await db.updateTable('maintenance_windows').set({ cancelled_at: now }).where('id', '=', id).where('cancelled_at', 'is', null).executeTakeFirst();
  return !!r.numUpdatedRows;
}

// ---- Public pages (status/page.ts) ----

/**
 * A cheap summary of everything a public page depends on (one small query): when it changes, in
 * this instance or another, the page is rebuilt.
 */
export async function pageFingerprint(db: Tx): Promise<string> {
  // Each part reads an index, not the history: the open incidents (how many, and their latest change;
  // a resolution makes them fewer), the public updates. An edit to an incident already resolved (its
  // severity, say) is not in it; the page shows it when the cache expires (CACHE_MS in page.ts).
  const r = await sql<Record<string, unknown>>`select
    (select max(updated_at) from incidents where status in (${sql.join(OPEN_STATUSES)})) as a,
    (select count(*) from incidents where status in (${sql.join(OPEN_STATUSES)})) as b,
    (select max(at) from status_updates where public = 1) as c, (select count(*) from status_updates where public = 1) as d,
    (select count(*) from maintenance_windows) as e, (select max(coalesce(cancelled_at, 0)) from maintenance_windows) as f,
    (select max(updated_at) from business_services) as g, (select count(*) from business_services) as h,
    (select max(updated_at) from status_pages) as i, (select count(*) from business_service_links) as j,
    (select count(*) from severity_levels) as k`.execute(db);
  return JSON.stringify(r.rows[0] ?? {});
}

/** Every severity level's rank. */
export async function severityRanks(db: Tx): Promise<{ name: string; rank: number }[]> {
  return db.selectFrom('severity_levels').select(['name', 'rank']).execute();
}

/**
 * What a public page needs of the incidents (not drills): those open now, and those resolved since
 * `since` that either have a severity level (only they set a component's state) or a public update
 * since `publishedSince` (only they are listed). Other resolved incidents change nothing a page
 * shows, and at scale they are nearly all of them: each part here reads an index, not the history.
 */
export async function pageIncidents(db: Tx, since: number, publishedSince: number) {
  const notDrills = () => db.selectFrom('incidents').select(['id', 'number', 'service_id', 'sev', 'status', 'created_at', 'updated_at', 'resolved_at', 'impact']).where('drill', '=', 0);
  // The resolved ones by resolved_at, which only a resolved incident has: with "status = 'resolved'"
  // in the query, SQLite reads the index on status, every resolved incident of the history.
  const [open, ranked, published] = await Promise.all([
    notDrills().where('status', 'in', OPEN_STATUSES).execute(),
    notDrills().where('resolved_at', '>=', since).where('sev', 'is not', null).execute(),
    notDrills()
      .where('id', 'in', (eb) => eb.selectFrom('status_updates').select('incident_id').where('public', '=', 1).where('at', '>=', publishedSince))
      .where('resolved_at', '>=', since)
      .execute(),
  ]);
  const seen = new Set<string>();
  const wasResolved = [...ranked, ...published].filter((i) => i.status === 'resolved');
  return [...open, ...wasResolved].filter((i) => !seen.has(i.id) && !!seen.add(i.id));
}

/** The incidents with a public update since `since`, once each. */
export async function publishedIncidentIds(db: Tx, since: number): Promise<{ incident_id: string }[]> {
  return db.selectFrom('status_updates').select('incident_id').distinct().where('public', '=', 1).where('at', '>=', since).execute();
}

/** The public updates of these incidents, newest first. */
export async function publicUpdateRows(db: Tx, incidentIds: string[]) {
  return db
    .selectFrom('status_updates')
    .select(['id', 'incident_id', 'at', 'author_name', 'phase', 'message', 'business_impact', 'next_update_at', 'public', 'public_title'])
    .where('public', '=', 1)
    .where('incident_id', 'in', incidentIds)
    .orderBy('at', 'desc')
    .orderBy('id', 'desc')
    .execute();
}

/** The phase of an incident's latest status update. */
export async function latestUpdatePhase(db: Tx, incidentId: string): Promise<{ phase: string } | undefined> {
  return db.selectFrom('status_updates').select('phase').where('incident_id', '=', incidentId).orderBy('at', 'desc').executeTakeFirst();
}

/** An incident's status updates, oldest first, as a postmortem draft reads them. */
export async function updatesOldestFirst(db: Tx, incidentId: string): Promise<{ at: number; phase: string; message: string; author_name: string }[]> {
  return db.selectFrom('status_updates').select(['at', 'phase', 'message', 'author_name']).where('incident_id', '=', incidentId).orderBy('at').execute();
}
