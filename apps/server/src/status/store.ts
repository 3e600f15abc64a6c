/** SQL for the status domain: rows in, API types out. No permission checks here. */
import { createHmac } from 'node:crypto';
import type { Tx } from '../context.js';
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
  return rows.map((r) => ({ id: r.id, name: r.name, description: r.description, teamId: r.team_id, position: Number(r.position), serviceIds: by.get(r.id) ?? [], createdAt: Number(r.created_at), updatedAt: Number(r.updated_at) }));
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

type UpdateRow = { id: string; incident_id: string; at: number; author_name: string; phase: string; message: string; business_impact: string; next_update_at: number | null; public: number; public_title?: string | null };

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
export function maintenanceFromRow(r: { id: string; title: string; description: string; service_ids: string; business_service_ids: string; starts_at: number; ends_at: number; cancelled_at: number | null; created_at: number }): MaintenanceWindow {
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
export function subscriptionFromRow(r: { id: string; scope: string; target_id: string | null; user_id: string | null; channel: string; destination: string; confirmed_at: number | null }): Subscription {
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
    .select(['incidents.id', 'incidents.number', 'incidents.title', 'incidents.created_at', 'incidents.sev', 'incidents.drill', 'severity_levels.update_interval_minutes as interval', 'users.id as user_id', 'users.email', 'users.name'])
    .where('incidents.status', '!=', 'resolved')
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
  const claimed = await db.insertInto('status_reminders').values({ incident_id: incidentId, due_at: dueAt, sent_at: now }).onConflict((oc) => oc.columns(['incident_id', 'due_at']).doNothing()).returning('incident_id').executeTakeFirst();
  return !!claimed;
}

/** Whether an incident has any status update. */
export async function hasStatusUpdate(db: Tx, incidentId: string): Promise<boolean> {
  return !!(await db.selectFrom('status_updates').select('id').where('incident_id', '=', incidentId).limit(1).executeTakeFirst());
}
