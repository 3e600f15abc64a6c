import { randomBytes } from 'node:crypto';
import { requirePermission, type Actor } from '../auth/actor.js';
import type { Ctx, LiveEvent, Tx } from '../context.js';
import { acknowledgeIncident, openIncident, resolveIncident, snoozeIncident } from '../incident/lifecycle.js';
import { appendTimeline } from '../incident/timeline.js';
import { GroupCommit } from '../lib/group-commit.js';
import { newId } from '../lib/ids.js';
import type { Insertable } from 'kysely';
import type { AlertEventTable } from './tables.js';
import type { Integration, Service } from '../service/types.js';
import type { AlertEvent, IngestResult } from './types.js';
import {
  addRepeats,
  insertAlert,
  insertChangeEvent,
  insertEvents,
  insertEventsAddRepeats,
  lockNewAlertKeys,
  latestOpenIncidentSince,
  markAlertAcknowledged,
  markAlertResolved,
  openAlertOf,
  openAlertsOf,
  openIncidentByGroupKey,
  triggeredAlertOf,
} from './store.js';
import { EventRules } from '../rules/service.js';
import { must } from '../lib/must.js';
import { retryRaces } from '../lib/db/conflict.js';
import { dialectOf } from '../lib/db/index.js';

/**
 * The links worth storing: only absolute http(s) URLs, so a monitoring payload cannot put a
 * `javascript:` or `data:` link in front of a responder. Others are dropped (the raw event keeps them).
 */
export function httpLinks<L>(links: L[]): L[] {
  return links.filter((l) => {
    const href = (l as { href?: unknown } | null)?.href;
    if (typeof href !== 'string') return false;
    try {
      const u = new URL(href);
      return u.protocol === 'http:' || u.protocol === 'https:';
    } catch {
      return false;
    }
  });
}

/** One ingest request: the events of one payload, committed together. */
export interface IngestBatch {
  integration: Integration;
  service: Service;
  events: AlertEvent[];
}

function detailsText(e: AlertEvent): string {
  const lines: string[] = [];
  if (e.source) lines.push(`source: ${e.source}`);
  for (const [k, v] of Object.entries(e.details).slice(0, 20)) {
    lines.push(`${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`.slice(0, 300));
  }
  return lines.join('\n');
}

/** Finds the open incident a new alert joins under the service's grouping, if any. */
async function groupTarget(trx: Tx, now: number, service: Service, e: AlertEvent): Promise<{ incidentId: string | null; groupKey: string | null }> {
  const g = service.grouping;
  if (g.mode === 'window') {
    const r = await latestOpenIncidentSince(trx, service.id, now - g.minutes * 60_000);
    return { incidentId: r?.id ?? null, groupKey: null };
  }
  if (g.mode === 'field') {
    const value = e.fields[g.field] ?? (typeof e.details[g.field] === 'string' ? (e.details[g.field] as string) : undefined);
    if (value === undefined) return { incidentId: null, groupKey: null };
    const groupKey = `${g.field}=${value}`;
    const r = await openIncidentByGroupKey(trx, service.id, groupKey);
    return { incidentId: r?.id ?? null, groupKey };
  }
  return { incidentId: null, groupKey: null };
}

/** An open alert, as ingest needs it: found in bulk at the start of a commit, kept current during it. */
interface OpenAlert {
  id: string;
  incident_id: string;
  status: string;
}

const openKey = (serviceId: string, dedupKey: string) => `${serviceId}\u0000${dedupKey}`;

/**
 * What a commit writes in bulk at its end: every event's row in alert_events, and for alerts that
 * received repeats, their new count, details and summary. A storm of one alert costs a row per event
 * and one update per alert per commit, not three statements per event.
 */
class CommitWrites {
  readonly events: Insertable<AlertEventTable>[] = [];
  private readonly repeats = new Map<string, { n: number; details: string; summary: string }>();

  record(now: number, b: IngestBatch, e: AlertEvent, dedupKey: string, alertId: string | null, outcome: string): void {
    this.events.push({
      id: newId(),
      alert_id: alertId,
      integration_id: b.integration.id,
      service_id: b.service.id,
      action: e.action,
      dedup_key: dedupKey,
      outcome,
      payload: JSON.stringify(e.raw ?? null),
      received_at: now,
      rule_trace: e.rules ? JSON.stringify(e.rules.trace) : null,
    });
  }

  repeat(alertId: string, e: AlertEvent): void {
    const r = this.repeats.get(alertId);
    const details = JSON.stringify(e.details);
    if (r) {
      r.n++;
      r.details = details;
      r.summary = e.summary;
    } else this.repeats.set(alertId, { n: 1, details, summary: e.summary });
  }

  /** PostgreSQL: the event rows and the repeat counts in one statement (at most REPEATS_ONLY_MAX_EVENTS events). */
  async flushInOne(db: Tx, now: number): Promise<void> {
    await insertEventsAddRepeats(db, { now, events: this.events, rows: [...this.repeats].map(([id, r]) => ({ id, ...r })) });
  }

  async flush(trx: Tx, now: number): Promise<void> {
    // 9 columns a row: 500 rows stay well under SQLite's and PostgreSQL's bound-parameter limits.
    for (let i = 0; i < this.events.length; i += 500) await insertEvents(trx, { rows: this.events.slice(i, i + 500) });
    const rows = [...this.repeats].map(([id, r]) => ({ id, ...r }));
    for (let i = 0; i < rows.length; i += 500) await addRepeats(trx, { now, rows: rows.slice(i, i + 500) });
  }
}

/** The open alerts of the (service, dedup key) pairs a commit's events name, in a few queries. */
async function readOpenAlerts(db: Tx, batches: IngestBatch[]): Promise<Map<string, OpenAlert>> {
  const byService = new Map<string, Set<string>>();
  for (const b of batches) {
    for (const e of b.events) {
      if (!e.dedupKey) continue;
      let keys = byService.get(b.service.id);
      if (!keys) byService.set(b.service.id, (keys = new Set()));
      keys.add(e.dedupKey);
    }
  }
  const open = new Map<string, OpenAlert>();
  for (const [serviceId, keys] of byService) await readInto(db, open, serviceId, [...keys]);
  return open;
}

async function readInto(db: Tx, open: Map<string, OpenAlert>, serviceId: string, keys: string[]): Promise<void> {
  for (let i = 0; i < keys.length; i += 500) {
    const { rows } = await openAlertsOf(db, { serviceId, keys: keys.slice(i, i + 500) });
    for (const r of rows) open.set(openKey(serviceId, r.dedup_key), { id: r.id, incident_id: r.incident_id, status: r.status });
  }
}

/**
 * PostgreSQL, where other instances commit at the same time: the keys this commit may open an alert
 * for are locked until it ends (in one order, so two commits never wait for each other), then read
 * again. A commit that opened one of them meanwhile has ended: its alert is found and the event counts
 * on it, where the insert would have waited for that commit and then failed the whole commit on the
 * unique index (retried by retryRaces, which remains for what this does not cover).
 */
async function lockNewKeys(trx: Tx, batches: IngestBatch[], open: Map<string, OpenAlert>): Promise<void> {
  const missing = new Map<string, string[]>();
  for (const b of batches)
    for (const e of b.events)
      if (e.action === 'trigger' && e.dedupKey && !open.has(openKey(b.service.id, e.dedupKey))) {
        const keys = missing.get(b.service.id) ?? [];
        keys.push(e.dedupKey);
        missing.set(b.service.id, keys);
      }
  if (!missing.size) return;
  await lockNewAlertKeys(trx, { keys: [...missing].flatMap(([serviceId, keys]) => keys.map((k) => `${serviceId}/${k}`)) });
  for (const [serviceId, keys] of missing) await readInto(trx, open, serviceId, [...new Set(keys)]);
}

/** Events in a commit of repeats only that take the one-statement path (PostgreSQL's bound-parameter limit is far above). */
const REPEATS_ONLY_MAX_EVENTS = 500;

/** Whether every event of a commit is a trigger with a dedup key that no rule suppressed: it may be a repeat of an open alert. */
function maybeRepeatsOnly(batches: IngestBatch[]): boolean {
  let n = 0;
  for (const b of batches) for (const e of b.events) if (e.action !== 'trigger' || !e.dedupKey || e.rules?.suppress || ++n > REPEATS_ONLY_MAX_EVENTS) return false;
  return true;
}

/**
 * Applies one event: deduplicate by (service, dedup key), group, open/ack/resolve incidents. `open`
 * holds the commit's open alerts and is updated here; event rows and repeat counts go to `writes`.
 */
async function applyEvent(trx: Tx, now: number, actor: Actor, b: IngestBatch, e: AlertEvent, live: LiveEvent[], open: Map<string, OpenAlert>, writes: CommitWrites): Promise<IngestResult> {
  const dedupKey = e.dedupKey ?? randomBytes(16).toString('hex');
  const key = openKey(b.service.id, dedupKey);
  const alert = open.get(key);

  if (e.action === 'trigger') {
    if (e.rules?.suppress) {
      // An event rule suppressed it: kept on the service's record, nobody paged.
      writes.record(now, b, e, dedupKey, null, 'suppressed');
      return { dedupKey, outcome: 'suppressed', alertId: null, incidentId: null };
    }
    if (alert) {
      // A storm of the same alert folds into one: count it, keep the latest details, page nobody again.
      writes.repeat(alert.id, e);
      writes.record(now, b, e, dedupKey, alert.id, 'appended');
      return { dedupKey, outcome: 'appended', alertId: alert.id, incidentId: alert.incident_id };
    }
    const alertId = newId();
    const target = await groupTarget(trx, now, b.service, e);
    let incidentId = target.incidentId;
    if (!incidentId) {
      const inc = await openIncident(
        trx,
        now,
        {
          service: b.service,
          title: e.summary,
          severity: e.severity,
          details: detailsText(e),
          groupKey: target.groupKey,
          actor,
          via: 'ingest',
          ...(e.rules?.urgency && { urgency: e.rules.urgency }),
          ...(e.rules?.priority && { priority: e.rules.priority }),
        },
        live,
      );
      incidentId = inc.id;
      // An event rule's pause: the incident is held and pages only if still open when the snooze ends.
      if (e.rules?.pauseMinutes) await snoozeIncident(trx, now, incidentId, now + e.rules.pauseMinutes * 60_000, actor, 'ingest', live);
    }
    await insertAlert(trx, {
      id: alertId,
      service_id: b.service.id,
      integration_id: b.integration.id,
      incident_id: incidentId,
      dedup_key: dedupKey,
      status: 'triggered',
      summary: e.summary,
      source: e.source,
      severity: e.severity,
      details: JSON.stringify(e.details),
      links: JSON.stringify(httpLinks(e.links)),
      event_count: 1,
      created_at: now,
      updated_at: now,
      resolved_at: null,
    });
    open.set(key, { id: alertId, incident_id: incidentId, status: 'triggered' });
    await appendTimeline(
      trx,
      {
        incidentId,
        at: now,
        type: target.incidentId ? 'alert.grouped' : 'alert.triggered',
        actor,
        via: 'ingest',
        message: `${target.incidentId ? 'Alert grouped into this incident' : 'Alert triggered'} via ${b.integration.name} (${b.integration.kind}): ${e.summary.slice(0, 200)}`,
        data: { alertId, dedupKey, severity: e.severity },
      },
      live,
    );
    writes.record(now, b, e, dedupKey, alertId, 'created');
    return { dedupKey, outcome: 'created', alertId, incidentId };
  }

  if (!alert) {
    // PagerDuty drops ack/resolve for unknown or resolved keys; we keep the event but change nothing.
    writes.record(now, b, e, dedupKey, null, 'ignored');
    return { dedupKey, outcome: 'ignored', alertId: null, incidentId: null };
  }

  if (e.action === 'acknowledge') {
    await markAlertAcknowledged(trx, alert.id, now);
    alert.status = 'acknowledged';
    await appendTimeline(
      trx,
      {
        incidentId: alert.incident_id,
        at: now,
        type: 'alert.acknowledged',
        actor,
        via: 'ingest',
        message: `Alert ${dedupKey.slice(0, 60)} acknowledged by ${b.integration.name}`,
        data: { alertId: alert.id },
      },
      live,
    );
    const stillTriggered = await triggeredAlertOf(trx, alert.incident_id);
    if (!stillTriggered) await acknowledgeIncident(trx, now, alert.incident_id, actor, 'ingest', live);
    writes.record(now, b, e, dedupKey, alert.id, 'acknowledged');
    return { dedupKey, outcome: 'acknowledged', alertId: alert.id, incidentId: alert.incident_id };
  }

  await markAlertResolved(trx, alert.id, now);
  open.delete(key);
  await appendTimeline(
    trx,
    { incidentId: alert.incident_id, at: now, type: 'alert.resolved', actor, via: 'ingest', message: `Alert ${dedupKey.slice(0, 60)} resolved by ${b.integration.name}`, data: { alertId: alert.id } },
    live,
  );
  const stillOpen = await openAlertOf(trx, alert.incident_id);
  if (!stillOpen) await resolveIncident(trx, now, alert.incident_id, actor, 'ingest', live);
  writes.record(now, b, e, dedupKey, alert.id, 'resolved');
  return { dedupKey, outcome: 'resolved', alertId: alert.id, incidentId: alert.incident_id };
}

/**
 * A commit whose events all repeat alerts open in `open`: their event rows and the alerts' new counts
 * in one statement (PostgreSQL: a data-modifying WITH, atomic on its own). Null when an event names
 * no open alert: the commit takes the transaction.
 */
async function repeatsOnly(db: Tx, now: number, batches: IngestBatch[], open: Map<string, OpenAlert>): Promise<IngestResult[][] | null> {
  const writes = new CommitWrites();
  const out: IngestResult[][] = [];
  for (const b of batches) {
    const rs: IngestResult[] = [];
    for (const e of b.events) {
      const dedupKey = must(e.dedupKey, 'a dedup key (maybeRepeatsOnly)');
      const alert = open.get(openKey(b.service.id, dedupKey));
      if (!alert) return null;
      writes.repeat(alert.id, e);
      writes.record(now, b, e, dedupKey, alert.id, 'appended');
      rs.push({ dedupKey, outcome: 'appended', alertId: alert.id, incidentId: alert.incident_id });
    }
    out.push(rs);
  }
  await writes.flushInOne(db, now);
  return out;
}

/** The ingest entry point: every adapter calls this one verb. Resolves after the events are committed. */
export class AlertIngest {
  private readonly committer: GroupCommit<IngestBatch, IngestResult[]>;
  /** The event rules run on every event before it is committed (rules/, docs/event-rules.md). */
  readonly rules: EventRules;

  constructor(private readonly ctx: Ctx) {
    this.rules = new EventRules(ctx);
    // Batches commit without waiting for the disk; each is answered once a sync covers it.
    this.committer = new GroupCommit(
      (batches) => this.commit(batches),
      async (batch) => must((await this.commit([batch]))[0], 'the result of the batch'),
      256,
      () => ctx.db.sync(),
    );
  }

  private async commit(batches: IngestBatch[]): Promise<IngestResult[][]> {
    let live: LiveEvent[] = [];
    const now = this.ctx.clock.now();
    // PostgreSQL, where each statement is a round trip: the open alerts are read before the
    // transaction (under READ COMMITTED a read as its first statement would see the same), and a
    // commit whose events all repeat open alerts is written in one statement, with no BEGIN and COMMIT
    // (2 round trips instead of 5). On SQLite statements cost no round trip: the one path below.
    let preRead = this.ctx.db.dialect === 'postgres' && maybeRepeatsOnly(batches) ? await readOpenAlerts(this.ctx.db.unsynced, batches) : null;
    if (preRead) {
      const repeats = await repeatsOnly(this.ctx.db.unsynced, now, batches, preRead);
      if (repeats) return repeats;
    }
    // Another instance may commit the same new alert first (PostgreSQL): run again and count the event on it.
    const run = () =>
      this.ctx.db.unsynced.transaction().execute(async (trx) => {
        live = [];
        const open = preRead ?? (await readOpenAlerts(trx, batches));
        preRead = null; // a second attempt reads again
        return this.apply(trx, now, batches, live, open);
      });
    const results = await retryRaces(run, {
      uniqueViolations: true,
      onRetry: (err, attempt) => this.ctx.log.debug({ err, attempt }, 'ingest: lost a race with another instance; running the commit again'),
    });
    for (const e of live) this.ctx.publish(e);
    if (results.some((rs) => rs.some((r) => r.outcome !== 'appended' && r.outcome !== 'ignored'))) this.ctx.wake();
    return results;
  }

  /** The events of a commit, applied in one transaction. */
  private async apply(trx: Tx, now: number, batches: IngestBatch[], live: LiveEvent[], open: Map<string, OpenAlert>): Promise<IngestResult[][]> {
    if (dialectOf(trx) === 'postgres') await lockNewKeys(trx, batches, open);
    const writes = new CommitWrites();
    const out: IngestResult[][] = [];
    for (const b of batches) {
      const actor: Actor = { type: 'integration', id: b.integration.id, name: b.integration.name, serviceId: b.service.id };
      const rs: IngestResult[] = [];
      for (const e of b.events) rs.push(await applyEvent(trx, now, actor, b, e, live, open, writes));
      out.push(rs);
    }
    await writes.flush(trx, now);
    return out;
  }

  /** Ingests a payload's events for an integration; all or nothing. */
  async ingest(actor: Actor, batch: IngestBatch): Promise<IngestResult[]> {
    requirePermission(actor, 'alert.ingest');
    if (batch.events.length === 0) return [];
    const sets = await this.rules.setsFor(batch.integration.id);
    if (!sets) return this.committer.submit(batch);
    return this.rules.ingest(batch, sets, (b) => this.committer.submit(b));
  }
}

/** Records a change event (a deploy, a config change) on a service. */
export async function recordChange(
  ctx: Ctx,
  actor: Actor,
  b: { integration: Integration; service: Service; change: { summary: string; source: string; occurredAt?: number; details: Record<string, unknown>; links: unknown[] } },
): Promise<string> {
  requirePermission(actor, 'alert.ingest');
  const id = newId();
  const now = ctx.clock.now();
  await insertChangeEvent(ctx.db.kysely, {
    id,
    service_id: b.service.id,
    integration_id: b.integration.id,
    summary: b.change.summary,
    source: b.change.source,
    occurred_at: b.change.occurredAt ?? now,
    details: JSON.stringify(b.change.details),
    links: JSON.stringify(httpLinks(b.change.links)),
    received_at: now,
  });
  return id;
}
