import { randomBytes } from 'node:crypto';
import { requirePermission, type Actor } from '../auth/actor.js';
import type { Ctx, LiveEvent, Tx } from '../context.js';
import { acknowledgeIncident, openIncident, resolveIncident } from '../incident/lifecycle.js';
import { appendTimeline } from '../incident/timeline.js';
import { GroupCommit } from '../lib/group-commit.js';
import { newId } from '../lib/ids.js';
import type { Integration, Service } from '../service/types.js';
import type { AlertEvent, IngestResult } from './types.js';

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
    const r = await trx
      .selectFrom('incidents')
      .select('id')
      .where('service_id', '=', service.id)
      .where('status', '!=', 'resolved')
      .where('created_at', '>=', now - g.minutes * 60_000)
      .orderBy('created_at', 'desc')
      .executeTakeFirst();
    return { incidentId: r?.id ?? null, groupKey: null };
  }
  if (g.mode === 'field') {
    const value = e.fields[g.field] ?? (typeof e.details[g.field] === 'string' ? (e.details[g.field] as string) : undefined);
    if (value === undefined) return { incidentId: null, groupKey: null };
    const groupKey = `${g.field}=${value}`;
    const r = await trx.selectFrom('incidents').select('id').where('service_id', '=', service.id).where('status', '!=', 'resolved').where('group_key', '=', groupKey).executeTakeFirst();
    return { incidentId: r?.id ?? null, groupKey };
  }
  return { incidentId: null, groupKey: null };
}

async function recordEvent(trx: Tx, now: number, b: IngestBatch, e: AlertEvent, dedupKey: string, alertId: string | null, outcome: string): Promise<void> {
  await trx
    .insertInto('alert_events')
    .values({ id: newId(), alert_id: alertId, integration_id: b.integration.id, service_id: b.service.id, action: e.action, dedup_key: dedupKey, outcome, payload: JSON.stringify(e.raw ?? null), received_at: now })
    .execute();
}

/** Applies one event: deduplicate by (service, dedup key), group, open/ack/resolve incidents. */
async function applyEvent(trx: Tx, now: number, actor: Actor, b: IngestBatch, e: AlertEvent, live: LiveEvent[]): Promise<IngestResult> {
  const dedupKey = e.dedupKey ?? randomBytes(16).toString('hex');
  const open = await trx
    .selectFrom('alerts')
    .select(['id', 'incident_id', 'status'])
    .where('service_id', '=', b.service.id)
    .where('dedup_key', '=', dedupKey)
    .where('resolved_at', 'is', null)
    .executeTakeFirst();

  if (e.action === 'trigger') {
    if (open) {
      // A storm of the same alert folds into one: count it, keep the latest details, page nobody again.
      await trx
        .updateTable('alerts')
        .set((eb) => ({ event_count: eb('event_count', '+', 1), updated_at: now, details: JSON.stringify(e.details), summary: e.summary }))
        .where('id', '=', open.id)
        .execute();
      await recordEvent(trx, now, b, e, dedupKey, open.id, 'appended');
      return { dedupKey, outcome: 'appended', alertId: open.id, incidentId: open.incident_id };
    }
    const alertId = newId();
    const target = await groupTarget(trx, now, b.service, e);
    let incidentId = target.incidentId;
    if (!incidentId) {
      const inc = await openIncident(trx, now, { service: b.service, title: e.summary, severity: e.severity, details: detailsText(e), groupKey: target.groupKey, actor, via: 'ingest' }, live);
      incidentId = inc.id;
    }
    await trx
      .insertInto('alerts')
      .values({
        id: alertId, service_id: b.service.id, integration_id: b.integration.id, incident_id: incidentId, dedup_key: dedupKey, status: 'triggered',
        summary: e.summary, source: e.source, severity: e.severity, details: JSON.stringify(e.details), links: JSON.stringify(e.links),
        event_count: 1, created_at: now, updated_at: now, resolved_at: null,
      })
      .execute();
    await appendTimeline(
      trx,
      {
        incidentId, at: now, type: target.incidentId ? 'alert.grouped' : 'alert.triggered', actor, via: 'ingest',
        message: `${target.incidentId ? 'Alert grouped into this incident' : 'Alert triggered'} via ${b.integration.name} (${b.integration.kind}): ${e.summary.slice(0, 200)}`,
        data: { alertId, dedupKey, severity: e.severity },
      },
      live,
    );
    await recordEvent(trx, now, b, e, dedupKey, alertId, 'created');
    return { dedupKey, outcome: 'created', alertId, incidentId };
  }

  if (!open) {
    // PagerDuty drops ack/resolve for unknown or resolved keys; we keep the event but change nothing.
    await recordEvent(trx, now, b, e, dedupKey, null, 'ignored');
    return { dedupKey, outcome: 'ignored', alertId: null, incidentId: null };
  }

  if (e.action === 'acknowledge') {
    await trx.updateTable('alerts').set({ status: 'acknowledged', updated_at: now }).where('id', '=', open.id).execute();
    await appendTimeline(trx, { incidentId: open.incident_id, at: now, type: 'alert.acknowledged', actor, via: 'ingest', message: `Alert ${dedupKey.slice(0, 60)} acknowledged by ${b.integration.name}`, data: { alertId: open.id } }, live);
    const stillTriggered = await trx.selectFrom('alerts').select('id').where('incident_id', '=', open.incident_id).where('status', '=', 'triggered').executeTakeFirst();
    if (!stillTriggered) await acknowledgeIncident(trx, now, open.incident_id, actor, 'ingest', live);
    await recordEvent(trx, now, b, e, dedupKey, open.id, 'acknowledged');
    return { dedupKey, outcome: 'acknowledged', alertId: open.id, incidentId: open.incident_id };
  }

  await trx.updateTable('alerts').set({ status: 'resolved', resolved_at: now, updated_at: now }).where('id', '=', open.id).execute();
  await appendTimeline(trx, { incidentId: open.incident_id, at: now, type: 'alert.resolved', actor, via: 'ingest', message: `Alert ${dedupKey.slice(0, 60)} resolved by ${b.integration.name}`, data: { alertId: open.id } }, live);
  const stillOpen = await trx.selectFrom('alerts').select('id').where('incident_id', '=', open.incident_id).where('resolved_at', 'is', null).executeTakeFirst();
  if (!stillOpen) await resolveIncident(trx, now, open.incident_id, actor, 'ingest', live);
  await recordEvent(trx, now, b, e, dedupKey, open.id, 'resolved');
  return { dedupKey, outcome: 'resolved', alertId: open.id, incidentId: open.incident_id };
}

/** The ingest entry point: every adapter calls this one verb. Resolves after the events are committed. */
export class AlertIngest {
  private readonly committer: GroupCommit<IngestBatch, IngestResult[]>;

  constructor(private readonly ctx: Ctx) {
    this.committer = new GroupCommit(
      (batches) => this.commit(batches),
      async (batch) => (await this.commit([batch]))[0]!,
    );
  }

  private async commit(batches: IngestBatch[]): Promise<IngestResult[][]> {
    const live: LiveEvent[] = [];
    const now = this.ctx.clock.now();
    const results = await this.ctx.db.kysely.transaction().execute(async (trx) => {
      const out: IngestResult[][] = [];
      for (const b of batches) {
        const actor: Actor = { type: 'integration', id: b.integration.id, name: b.integration.name, serviceId: b.service.id };
        const rs: IngestResult[] = [];
        for (const e of b.events) rs.push(await applyEvent(trx, now, actor, b, e, live));
        out.push(rs);
      }
      return out;
    });
    for (const e of live) this.ctx.publish(e);
    if (results.some((rs) => rs.some((r) => r.outcome !== 'appended' && r.outcome !== 'ignored'))) this.ctx.wake();
    return results;
  }

  /** Ingests a payload's events for an integration; all or nothing. */
  async ingest(actor: Actor, batch: IngestBatch): Promise<IngestResult[]> {
    requirePermission(actor, 'alert.ingest');
    if (batch.events.length === 0) return [];
    return this.committer.submit(batch);
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
  await ctx.db.kysely
    .insertInto('change_events')
    .values({ id, service_id: b.service.id, integration_id: b.integration.id, summary: b.change.summary, source: b.change.source, occurred_at: b.change.occurredAt ?? now, details: JSON.stringify(b.change.details), links: JSON.stringify(b.change.links), received_at: now })
    .execute();
  return id;
}
