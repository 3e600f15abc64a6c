import { SYSTEM } from '../../auth/actor.js';
import type { Ctx, LiveEvent, Tx } from '../../context.js';
import { BatchMemo, inBatch } from '../batch.js';
import { notificationPlan, resolveTargets } from '../../escalation/targets.js';
import { firesAfterAcknowledge, stepLevel, type Policy } from '../../escalation/types.js';
import { appendTimeline } from '../../incident/timeline.js';
import { newId } from '../../lib/ids.js';
import { claimStep, dueSteps } from '../../incident/store.js';
import { insertNotification } from '../../notify/store.js';
import { userNameRow } from '../../user/store.js';
import { activeMaintenanceFor } from '../../status/store.js';
import type { EngineModule } from '../engine.js';



/**
 * Fires due escalation steps. Works from the policy snapshot taken when the incident opened. A step
 * is claimed by compare-and-set on (escalation_step, status), so a stale or repeated run does nothing.
 */
export const escalationModule: EngineModule = {
  name: 'escalation',
  onWake: true,
  async updateAll(ctx: Ctx): Promise<void> {
    // A level with nobody to page makes the next step due at once; loop so it fires in this cycle.
    for (let round = 0; round < 20; round++) {
      const now = ctx.clock.now();
      const due = (await dueSteps(ctx.db.kysely, { now })).rows;
      if (!due.length) return;
      // What a storm's incidents share (their service's maintenance, a level's people and how to reach
      // them) is looked up once per batch, not once per incident.
      const memo = new BatchMemo();
      await inBatch(ctx, 'escalation', due, (trx, live, inc) => fireStep(ctx, trx, live, memo, inc.id, inc.service_id, inc.status, inc.escalation_step, inc.policy_snapshot, inc.urgency === 'low' ? 'low' : 'high'));
    }
  },
};

async function fireStep(
  ctx: Ctx,
  trx: Tx,
  live: LiveEvent[],
  memo: BatchMemo,
  incidentId: string,
  serviceId: string,
  status: string,
  step: number,
  snapshot: string | null,
  urgency: 'high' | 'low',
): Promise<void> {
  const now = ctx.clock.now();
  const policy = snapshot ? (JSON.parse(snapshot) as Policy) : null;
  const s = policy ? stepLevel(policy, step) : null;
  const claim = async (next: number | null) => Boolean((await claimStep(trx, { id: incidentId, status, step, nextStep: step + 1, next, now })).numAffectedRows);

  if (status === 'acknowledged') {
    // Only levels with `until: resolved` fire once acknowledged; the others pass silently, keeping
    // their delay, so later levels fire at the same moments as if nobody had acknowledged.
    if (!policy || !s || !firesAfterAcknowledge(policy, step)) {
      await claim(null);
      return;
    }
    if (s.level.until !== 'resolved') {
      await claim(now + s.level.delayMinutes * 60_000);
      return;
    }
  }

  if (!policy || !s) {
    if (!(await claim(null))) return;
    const levels = policy?.levels.length ?? 0;
    await appendTimeline(trx, { incidentId, at: now, type: 'escalation.exhausted', actor: SYSTEM, via: 'engine', message: `Escalation finished: nobody acknowledged after ${levels} level(s) × ${(policy?.repeat ?? 0) + 1} round(s)` }, live);
    return;
  }

  // A running maintenance window on the incident's service: recorded, never paged.
  const maint = await memo.get(`maintenance:${serviceId}`, () => activeMaintenanceFor(trx, serviceId, now));
  if (maint) {
    if (!(await claim(null))) return;
    await appendTimeline(trx, { incidentId, at: now, type: 'escalation.suppressed', actor: SYSTEM, via: 'engine', message: `Suppressed by maintenance window "${maint.title}": nobody paged`, data: { maintenanceWindowId: maint.id, step } }, live);
    return;
  }

  const resolved = await memo.get(`targets:${JSON.stringify(s.level.targets)}`, () => resolveTargets(trx, s.level.targets, now));
  const userIds = resolved.userIds;
  const notes = [...resolved.notes];
  const plans: { userId: string; name: string; plan: { contactMethodId: string; delayMinutes: number }[] }[] = [];
  for (const userId of userIds) {
    const u = await memo.get(`user:${userId}`, () => userNameRow(trx, userId));
    // The rules for this incident's urgency (PagerDuty's high/low notification rules; 'any' rules always).
    const plan = await memo.get(`plan:${userId}:${urgency}`, () => notificationPlan(trx, userId, urgency));
    if (plan.length) plans.push({ userId, name: u?.name ?? userId, plan });
    else {
      const any = await memo.get(`plan:${userId}`, () => notificationPlan(trx, userId));
      notes.push(any.length ? `${u?.name ?? userId} has no notification rule for ${urgency}-urgency incidents` : `${u?.name ?? userId} has no verified contact method`);
    }
  }
  const pageable = plans.length > 0;
  // Nobody to page at this level: move on at once rather than wait out the delay in silence.
  const next = pageable ? now + s.level.delayMinutes * 60_000 : now;
  if (!(await claim(next))) return; // someone else fired it, or it was acknowledged

  for (const p of plans) {
    for (const r of p.plan) {
      await insertNotification(trx, { id: newId(), incident_id: incidentId, user_id: p.userId, contact_method_id: r.contactMethodId, step, due_at: now + r.delayMinutes * 60_000, status: 'pending', created_at: now });
    }
  }
  const where = `level ${s.levelIndex + 1} of ${policy.levels.length}${s.loop > 0 ? `, round ${s.loop + 1}` : ''}`;
  if (pageable) {
    await appendTimeline(
      trx,
      { incidentId, at: now, type: 'escalation.level', actor: SYSTEM, via: 'engine', message: `Escalation ${where}: paging ${plans.map((p) => p.name).join(', ')}${notes.length ? ` (${notes.join('; ')})` : ''}`, data: { step, users: plans.map((p) => p.userId) } },
      live,
    );
  } else {
    await appendTimeline(
      trx,
      { incidentId, at: now, type: 'escalation.skipped', actor: SYSTEM, via: 'engine', message: `Escalation ${where}: nobody could be paged (${notes.join('; ') || 'no targets'}); escalating at once`, data: { step } },
      live,
    );
  }
}
