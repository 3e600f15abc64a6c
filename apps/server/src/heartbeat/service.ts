import { requirePermission, requirePermissionSomewhere, SYSTEM, type Actor } from '../auth/actor.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx, type LiveEvent, type Tx } from '../context.js';
import { openIncident, resolveIncident } from '../incident/lifecycle.js';
import { appendTimeline } from '../incident/timeline.js';
import { conflict, notFound } from '../lib/errors.js';
import { newId, newSecret, sha256 } from '../lib/ids.js';
import { parse } from '../lib/validate.js';
import { findService } from '../service/service.js';
import type { Service } from '../service/types.js';
import { dueAt, heartbeatState, missTitle, spoken } from './compute.js';
import * as store from './store.js';
import { HeartbeatInput, HeartbeatPatch, type Heartbeat } from './types.js';

/** Where a sender checks in with a heartbeat's token (GET or POST). */
export function checkinUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/heartbeats/v1/${token}`;
}

function toHeartbeat(r: store.HeartbeatRow, now: number): Heartbeat {
  const h = {
    enabled: r.enabled === 1,
    lastCheckinAt: r.last_checkin_at === null ? null : Number(r.last_checkin_at),
    sinceAt: Number(r.since_at),
    intervalMinutes: r.interval_minutes,
    graceMinutes: r.grace_minutes,
  };
  return {
    id: r.id,
    serviceId: r.service_id,
    name: r.name,
    intervalMinutes: r.interval_minutes,
    graceMinutes: r.grace_minutes,
    enabled: h.enabled,
    watchdogAlert: r.watchdog_alert,
    tokenHint: r.token_hint,
    lastCheckinAt: h.lastCheckinAt,
    state: heartbeatState(h, now),
    incidentId: r.incident_id && r.incident_id !== 'claimed' ? r.incident_id : null,
    createdAt: Number(r.created_at),
  };
}

async function serviceOrFail(db: Tx, idOrName: string): Promise<Service> {
  const s = await findService(db, idOrName);
  if (!s) throw notFound('Service');
  return s;
}

/** A service's heartbeats with their state. */
export async function listHeartbeats(ctx: Ctx, actor: Actor, serviceIdOrName: string): Promise<Heartbeat[]> {
  requirePermission(actor, 'read');
  const s = await serviceOrFail(ctx.db.kysely, serviceIdOrName);
  const now = ctx.clock.now();
  return (await store.listByService(ctx.db.kysely, s.id)).map((r) => toHeartbeat(r, now));
}

/** Every heartbeat (config export), by service id. */
export async function allHeartbeats(ctx: Ctx, actor: Actor): Promise<Heartbeat[]> {
  requirePermission(actor, 'read');
  const now = ctx.clock.now();
  return (await store.listAll(ctx.db.kysely)).map((r) => toHeartbeat(r, now));
}

/** One heartbeat of a service. */
export async function getHeartbeat(ctx: Ctx, actor: Actor, serviceIdOrName: string, id: string): Promise<Heartbeat> {
  requirePermission(actor, 'read');
  const s = await serviceOrFail(ctx.db.kysely, serviceIdOrName);
  const r = await store.findById(ctx.db.kysely, s.id, id);
  if (!r) throw notFound('Heartbeat');
  return toHeartbeat(r, ctx.clock.now());
}

/** Creates a heartbeat and answers its check-in URL once (only its hash is kept). Admins only. */
export async function createHeartbeat(ctx: Ctx, actor: Actor, serviceIdOrName: string, input: unknown): Promise<Heartbeat> {
  requirePermissionSomewhere(actor, 'admin');
  const v = parse(HeartbeatInput, input, 'heartbeat');
  const token = newSecret('', 24).replace(/[^A-Za-z0-9]/g, 'x');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx, live) => {
    live.push({ type: 'config' });
    const s = await serviceOrFail(trx, serviceIdOrName);
    requirePermission(actor, 'admin', s.teamId);
    if (await store.findByName(trx, s.id, v.name)) throw conflict(`Service ${s.name} already has a heartbeat named "${v.name}"`);
    const grace = v.graceMinutes ?? 0;
    const row: store.HeartbeatRow = {
      id: newId(),
      service_id: s.id,
      name: v.name,
      token_hash: sha256(token),
      token_hint: token.slice(-4),
      interval_minutes: v.intervalMinutes,
      grace_minutes: grace,
      enabled: v.enabled === false ? 0 : 1,
      watchdog_alert: v.watchdogAlert ?? null,
      last_checkin_at: null,
      since_at: now,
      due_at: dueAt(now, v.intervalMinutes, grace),
      incident_id: null,
      created_at: now,
      updated_at: now,
    };
    await store.insert(trx, row);
    await audit(trx, now, actor, 'heartbeat.create', row.id, { serviceId: s.id, name: v.name });
    return { ...toHeartbeat(row, now), checkinUrl: checkinUrl(ctx.publicUrl, token) };
  });
}

/**
 * Changes a heartbeat. A new interval or grace moves the current wait's end; enabling a disabled
 * heartbeat starts a fresh wait from now (it is not late for the time it was off). Admins only.
 */
export async function updateHeartbeat(ctx: Ctx, actor: Actor, serviceIdOrName: string, id: string, patch: unknown): Promise<Heartbeat> {
  requirePermissionSomewhere(actor, 'admin');
  const v = parse(HeartbeatPatch, patch, 'heartbeat');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx, live) => {
    live.push({ type: 'config' });
    const s = await serviceOrFail(trx, serviceIdOrName);
    requirePermission(actor, 'admin', s.teamId);
    const r = await store.findById(trx, s.id, id);
    if (!r) throw notFound('Heartbeat');
    if (v.name !== undefined && v.name !== r.name && (await store.findByName(trx, s.id, v.name))) throw conflict(`Service ${s.name} already has a heartbeat named "${v.name}"`);
    const interval = v.intervalMinutes ?? r.interval_minutes;
    const grace = v.graceMinutes ?? r.grace_minutes;
    const enabled = v.enabled === undefined ? r.enabled : v.enabled ? 1 : 0;
    const since = enabled === 1 && r.enabled === 0 ? now : Number(r.since_at);
    const from = enabled === 1 && r.enabled === 0 ? now : r.last_checkin_at === null ? since : Math.max(Number(r.last_checkin_at), since);
    const next: store.HeartbeatRow = {
      ...r,
      name: v.name ?? r.name,
      interval_minutes: interval,
      grace_minutes: grace,
      enabled,
      watchdog_alert: v.watchdogAlert === undefined ? r.watchdog_alert : v.watchdogAlert,
      since_at: since,
      due_at: dueAt(from, interval, grace),
      updated_at: now,
    };
    await store.update(trx, r.id, {
      name: next.name,
      interval_minutes: interval,
      grace_minutes: grace,
      enabled,
      watchdog_alert: next.watchdog_alert,
      since_at: since,
      due_at: next.due_at,
      updated_at: now,
    });
    await audit(trx, now, actor, 'heartbeat.update', r.id, { serviceId: s.id, name: next.name });
    return toHeartbeat(next, now);
  });
}

/** Deletes a heartbeat (an incident it opened stays as it is). Admins only. */
export async function deleteHeartbeat(ctx: Ctx, actor: Actor, serviceIdOrName: string, id: string): Promise<void> {
  requirePermissionSomewhere(actor, 'admin');
  await inTransaction(ctx, async (trx, live) => {
    live.push({ type: 'config' });
    const s = await serviceOrFail(trx, serviceIdOrName);
    requirePermission(actor, 'admin', s.teamId);
    const r = await store.findById(trx, s.id, id);
    if (!r || !(await store.remove(trx, r.id))) throw notFound('Heartbeat');
    await audit(trx, ctx.clock.now(), actor, 'heartbeat.delete', r.id, { serviceId: s.id, name: r.name });
  });
}

/**
 * A check-in: a new wait from now; the incident of the current miss, if still open, is resolved
 * with a timeline entry that says the heartbeat is back. Runs in the caller's transaction.
 */
async function recordCheckin(trx: Tx, now: number, r: store.HeartbeatRow, how: string, live: LiveEvent[]): Promise<void> {
  const incidentId = await store.checkIn(trx, r.id, now, dueAt(now, r.interval_minutes, r.grace_minutes));
  if (!incidentId || incidentId === 'claimed') return;
  if (!(await store.incidentOpen(trx, incidentId))) return;
  await appendTimeline(
    trx,
    { incidentId, at: now, type: 'heartbeat.checkin', actor: SYSTEM, via: 'ingest', message: `Check-in from heartbeat ${r.name} received (${how}): resolving`, data: { heartbeatId: r.id } },
    live,
  );
  await resolveIncident(trx, now, incidentId, SYSTEM, 'ingest', live);
}

/** A check-in by the heartbeat's own URL. False for an unknown token (the caller answers 404). */
export async function checkInByToken(ctx: Ctx, token: string): Promise<boolean> {
  const now = ctx.clock.now();
  const found = await inTransaction(ctx, async (trx, live) => {
    const r = await store.findByTokenHash(trx, sha256(token));
    if (!r) return false;
    await recordCheckin(trx, now, r, 'check-in URL', live);
    return true;
  });
  if (found) ctx.wake();
  return found;
}

/** A check-in by name on a service (the Opsgenie ping API: the GenieKey's service). False for no such heartbeat. */
export async function checkInByName(ctx: Ctx, serviceId: string, name: string, how: string): Promise<boolean> {
  const now = ctx.clock.now();
  const found = await inTransaction(ctx, async (trx, live) => {
    const r = await store.findByName(trx, serviceId, name);
    if (!r) return false;
    await recordCheckin(trx, now, r, how, live);
    return true;
  });
  if (found) ctx.wake();
  return found;
}

/**
 * Alertmanager events whose alertname a heartbeat of the service names (its `watchdogAlert`): a
 * firing one checks that heartbeat in; all of them are taken out of the events (they open no
 * incident). Returns the events left to ingest.
 */
export async function takeWatchdogCheckins<E extends { action: string; fields: Record<string, string> }>(ctx: Ctx, serviceId: string, events: E[]): Promise<E[]> {
  const names = await store.watchdogNames(ctx.db.kysely, serviceId);
  if (!names.size) return events;
  const fired = new Set(events.flatMap((e) => (e.action === 'trigger' && e.fields.alertname !== undefined && names.has(e.fields.alertname) ? [e.fields.alertname] : [])));
  if (fired.size) {
    const now = ctx.clock.now();
    await inTransaction(ctx, async (trx, live) => {
      for (const name of fired) for (const r of await store.findByWatchdog(trx, serviceId, name)) await recordCheckin(trx, now, r, `Alertmanager alert ${name}`, live);
    });
    ctx.wake();
  }
  return events.filter((e) => !names.has(e.fields.alertname ?? ''));
}

/**
 * Opens the incident of a missed check-in, once: the claim (compare-and-set on the heartbeat's
 * wait) and the incident are one transaction, so two instances never open two. True if opened.
 */
export async function openMiss(trx: Tx, now: number, r: store.HeartbeatRow, live: LiveEvent[]): Promise<boolean> {
  if (!(await store.claimMiss(trx, r.id, Number(r.due_at)))) return false;
  const service = await findService(trx, r.service_id);
  if (!service) return false;
  const from = r.last_checkin_at === null ? Number(r.since_at) : Math.max(Number(r.last_checkin_at), Number(r.since_at));
  const title = missTitle(r.name, now - from, r.interval_minutes);
  const details = `heartbeat: ${r.name}\nexpected every ${spoken(r.interval_minutes)} (grace ${spoken(r.grace_minutes)})\nlast check-in: ${r.last_checkin_at === null ? 'never' : new Date(Number(r.last_checkin_at)).toISOString()}`;
  const inc = await openIncident(trx, now, { service, title, severity: 'critical', details, groupKey: null, actor: SYSTEM, via: 'engine' }, live);
  await appendTimeline(
    trx,
    { incidentId: inc.id, at: now, type: 'heartbeat.missed', actor: SYSTEM, via: 'engine', message: title, data: { heartbeatId: r.id, lastCheckinAt: r.last_checkin_at } },
    live,
  );
  await store.update(trx, r.id, { incident_id: inc.id });
  return true;
}
