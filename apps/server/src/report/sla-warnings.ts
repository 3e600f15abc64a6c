import { SYSTEM } from '../auth/actor.js';
import type { Ctx } from '../context.js';
import { appendTimeline } from '../incident/timeline.js';
import { enqueueMessage } from '../notify/outbox.js';
import type { ReportNoticeMessage } from '../notify/types.js';
import { formatDuration } from '../lib/format.js';
import { allTargets, targetFor } from './service.js';
import { inBatch } from '../engine/batch.js';
import type { EngineModule } from '../engine/engine.js';
import { pagedUserIds } from '../notify/store.js';
import { hasStatusUpdate } from '../status/store.js';
import { userNames } from '../user/store.js';
import { claimSlaWarning, openIncidentsForSla } from './store.js';
import { noticeMethods } from '../schedule/handoff-notices.js';
import { must } from '../lib/must.js';

const WORDS = { ack: 'acknowledge', resolve: 'resolve', update: 'first stakeholder update' } as const;

/**
 * SLA warnings: while an incident runs, warns its incident manager (or, without one, whoever
 * acknowledged it, or everyone it paged) `warnBefore` ahead of an SLA target's deadline, once per
 * incident and target (claimed by an insert into sla_warnings), and notes it on the timeline.
 */
export const reportSlaWarningModule: EngineModule = {
  name: 'report-sla-warning',
  async updateAll(ctx: Ctx): Promise<void> {
    const db = ctx.db.kysely;
    const targets = await allTargets(db);
    if (!targets.length) return;
    const now = ctx.clock.now();
    const open = await openIncidentsForSla(db);
    const warnings = [];
    for (const i of open) {
      const t = targetFor(targets, i.service_id, i.sev ?? i.severity);
      if (!t) continue;
      const created = Number(i.created_at);
      const due: ('ack' | 'resolve' | 'update')[] = [];
      const near = (within: number | null) => within !== null && now >= created + within - t.warnBeforeMs && now < created + within;
      if (i.status === 'triggered' && near(t.ackWithinMs)) due.push('ack');
      if (near(t.resolveWithinMs)) due.push('resolve');
      if (near(t.updateWithinMs) && !(await updated(ctx, i.id))) due.push('update');
      for (const target of due)
        warnings.push({
          i,
          target,
          created,
          within: target === 'ack' ? must(t.ackWithinMs, 't.ackWithinMs') : target === 'resolve' ? must(t.resolveWithinMs, 't.resolveWithinMs') : must(t.updateWithinMs, 't.updateWithinMs'),
        });
    }
    await inBatch(ctx, 'report-sla-warning', warnings, async (trx, live, { i, target, created, within }) => {
      if (!(await claimSlaWarning(trx, i.id, target, now))) return;
      let users = [i.incident_manager_id ?? i.acknowledged_by].filter((x): x is string => !!x);
      if (!users.length) users = await pagedUserIds(trx, i.id);
      const left = created + within - now;
      const summary = `#${i.number} will miss its ${WORDS[target]} target (${formatDuration(within)}) in ${formatDuration(left)}`;
      await appendTimeline(trx, { incidentId: i.id, at: now, type: 'sla.warning', actor: SYSTEM, via: 'engine', message: `SLA warning: ${summary}`, data: { target, withinMs: within, users } }, live);
      const names = new Map((users.length ? await userNames(trx, users) : []).map((u) => [u.id, u.name]));
      for (const u of users) {
        const message: ReportNoticeMessage = {
          kind: 'report',
          event: 'sla-warning',
          userName: names.get(u) ?? '',
          summary,
          text: `Incident #${i.number} ${i.title}\n${summary}.`,
          url: `${ctx.publicUrl}/incidents/${i.number}`,
        };
        for (const m of await noticeMethods(trx, u)) await enqueueMessage(trx, now, { channel: m.type, destination: m.address, message, userId: u, contactMethodId: m.id, incidentId: null });
      }
    });
  },
};

async function updated(ctx: Ctx, incidentId: string): Promise<boolean> {
  try {
    return await hasStatusUpdate(ctx.db.kysely, incidentId);
  } catch {
    return true; // no status updates table: the update target cannot be judged, so do not warn
  }
}
