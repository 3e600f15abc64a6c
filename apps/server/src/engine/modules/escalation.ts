import { SYSTEM } from '../../auth/actor.js';
import type { Ctx, LiveEvent, Tx } from '../../context.js';
import { BatchMemo, inBatch } from '../batch.js';
import { notificationPlan, resolveTargets, type OnCallWhy } from '../../escalation/targets.js';
import { firesAfterAcknowledge, stepLevel, type Policy } from '../../escalation/types.js';
import { appendTimeline } from '../../incident/timeline.js';
import { newId } from '../../lib/ids.js';
import { claimStep, DUE_STEPS_PER_PASS, dueSteps, escalateNow } from '../../incident/store.js';
import { insertNotification } from '../../notify/store.js';
import { userNameRow } from '../../user/store.js';
import { activeMaintenanceFor } from '../../status/store.js';
import { evaluateCondition, labelsOf } from '../../escalation/condition.js';
import { firstAlertDetails, takeRoundRobinTurn } from '../../escalation/store.js';
import { MORE, type EngineModule, type More } from '../engine.js';
import { must } from '../../lib/must.js';

/**
 * Fires due escalation steps. Works from the policy snapshot taken when the incident opened. A step
 * is claimed by compare-and-set on (escalation_step, status), so a stale or repeated run does nothing.
 */
export const escalationModule: EngineModule = {
  name: 'escalation',
  onWake: true,
  async updateAll(ctx: Ctx): Promise<More | undefined> {
    const now = ctx.clock.now();
    const due = (await dueSteps(ctx.db.kysely, { now })).rows;
    if (!due.length) return;
    // What a storm's incidents share (their service's maintenance, a level's people and how to reach
    // them) is looked up once per batch, not once per incident.
    const memo = new BatchMemo();
    const again = { due: false, claimed: 0 };
    const { failed } = await inBatch(ctx, 'escalation', due, (trx, live, inc) =>
      fireStep(ctx, trx, live, memo, again, inc.id, inc.service_id, inc.status, inc.escalation_step, inc.policy_snapshot, inc.urgency === 'low' ? 'low' : 'high', inc.severity),
    );
    // More may be due: the rest of a storm (a full batch), or a next level due at once (a level with
    // nobody to page). Not when every step failed: the same ones would fail again in the next pass.
    // Nor when it claimed none: another instance holds them (PostgreSQL) and takes the rest itself.
    return (due.length === DUE_STEPS_PER_PASS || again.due) && failed < due.length && again.claimed > 0 ? MORE : undefined;
  },
};

async function fireStep(
  ctx: Ctx,
  trx: Tx,
  live: LiveEvent[],
  memo: BatchMemo,
  /** `due` is set when a step claimed makes the incident's next step due at once (fired in the next pass); `claimed` counts claims won. */
  again: { due: boolean; claimed: number },
  incidentId: string,
  serviceId: string,
  status: string,
  step: number,
  snapshot: string | null,
  urgency: 'high' | 'low',
  severity: string,
): Promise<void> {
  const now = ctx.clock.now();
  const policy = snapshot ? (JSON.parse(snapshot) as Policy) : null;
  const s = policy ? stepLevel(policy, step) : null;
  const claim = async (next: number | null) => {
    if (next !== null && next <= now) again.due = true;
    const won = Boolean((await claimStep(trx, { id: incidentId, status, step, nextStep: step + 1, next, now })).numAffectedRows);
    if (won) again.claimed++;
    return won;
  };

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
    await appendTimeline(
      trx,
      {
        incidentId,
        at: now,
        type: 'escalation.exhausted',
        actor: SYSTEM,
        via: 'engine',
        message: `Escalation finished: nobody acknowledged after ${levels} level(s) × ${(policy?.repeat ?? 0) + 1} round(s)`,
      },
      live,
    );
    return;
  }

  // A running maintenance window on the incident's service: recorded, never paged.
  const maint = await memo.get(`maintenance:${serviceId}`, () => activeMaintenanceFor(trx, serviceId, now));
  if (maint) {
    if (!(await claim(null))) return;
    await appendTimeline(
      trx,
      {
        incidentId,
        at: now,
        type: 'escalation.suppressed',
        actor: SYSTEM,
        via: 'engine',
        message: `Suppressed by maintenance window "${maint.title}": nobody paged`,
        data: { maintenanceWindowId: maint.id, step },
      },
      live,
    );
    return;
  }

  const where = `level ${s.levelIndex + 1} of ${policy.levels.length}${s.loop > 0 ? `, round ${s.loop + 1}` : ''}`;

  // A level whose condition does not hold for this incident now is skipped at once; the timeline
  // keeps the decision (condition and reason) for the incident's trace.
  if (s.level.condition) {
    const labels = s.level.condition.label ? labelsOf(await firstAlertDetails(trx, incidentId)) : {};
    const c = evaluateCondition(s.level.condition, { at: now, severity, urgency, labels });
    if (!c.holds) {
      if (!(await claim(now))) return;
      await appendTimeline(
        trx,
        {
          incidentId,
          at: now,
          type: 'escalation.condition_skipped',
          actor: SYSTEM,
          via: 'engine',
          message: `Escalation ${where} skipped: its condition does not hold (${c.reason})`,
          data: { step, level: s.levelIndex, reason: c.reason, condition: s.level.condition },
        },
        live,
      );
      return;
    }
  }

  // Round robin: the step is claimed first, so a run that loses the race never takes a turn; then
  // the level's cursor gives this incident the next target (a target with nobody to page passes the
  // turn on to the one after it, within the same turn).
  let roundRobin: { position: number; target: number } | null = null;
  let targets = s.level.targets;
  if (s.level.roundRobin) {
    if (!(await claim(now + s.level.delayMinutes * 60_000))) return;
    const position = await takeRoundRobinTurn(trx, policy.id, s.levelIndex, now);
    roundRobin = { position, target: position % targets.length };
  }

  const planFor = async (userIds: string[], notes: string[]) => {
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
    return plans;
  };
  const notes: string[] = [];
  const onCall: OnCallWhy[] = [];
  let plans: Awaited<ReturnType<typeof planFor>> = [];
  if (roundRobin) {
    for (let k = 0; k < s.level.targets.length && !plans.length; k++) {
      const idx = (roundRobin.position + k) % s.level.targets.length;
      const one = [must(s.level.targets[idx], 's.level.targets[idx]')];
      const r = await memo.get(`targets:${JSON.stringify(one)}`, () => resolveTargets(trx, one, now));
      notes.push(...r.notes);
      onCall.push(...r.onCall);
      plans = await planFor(r.userIds, notes);
      roundRobin.target = idx;
      targets = one;
    }
  } else {
    const resolved = await memo.get(`targets:${JSON.stringify(targets)}`, () => resolveTargets(trx, targets, now));
    notes.push(...resolved.notes);
    onCall.push(...resolved.onCall);
    plans = await planFor(resolved.userIds, notes);
  }
  const pageable = plans.length > 0;
  // Nobody to page at this level: move on at once rather than wait out the delay in silence.
  const next = pageable ? now + s.level.delayMinutes * 60_000 : now;
  if (roundRobin) {
    if (!pageable) {
      again.due = true;
      await escalateNow(trx, incidentId, step + 1, now);
    }
  } else if (!(await claim(next))) return; // someone else fired it, or it was acknowledged

  for (const p of plans) {
    for (const r of p.plan) {
      await insertNotification(trx, {
        id: newId(),
        incident_id: incidentId,
        user_id: p.userId,
        contact_method_id: r.contactMethodId,
        step,
        due_at: now + r.delayMinutes * 60_000,
        status: 'pending',
        created_at: now,
      });
    }
  }
  const rr = roundRobin ? ` (round robin: turn ${roundRobin.position + 1}, target ${roundRobin.target + 1} of ${s.level.targets.length})` : '';
  if (pageable) {
    await appendTimeline(
      trx,
      {
        incidentId,
        at: now,
        type: 'escalation.level',
        actor: SYSTEM,
        via: 'engine',
        message: `Escalation ${where}: paging ${plans.map((p) => p.name).join(', ')}${rr}${notes.length ? ` (${notes.join('; ')})` : ''}`,
        data: { step, level: s.levelIndex, users: plans.map((p) => p.userId), ...(notes.length && { notes }), ...(onCall.length && { onCall }), ...(roundRobin && { roundRobin }) },
      },
      live,
    );
  } else {
    await appendTimeline(
      trx,
      {
        incidentId,
        at: now,
        type: 'escalation.skipped',
        actor: SYSTEM,
        via: 'engine',
        message: `Escalation ${where}: nobody could be paged${rr} (${notes.join('; ') || 'no targets'}); escalating at once`,
        data: { step, level: s.levelIndex, notes, ...(onCall.length && { onCall }), ...(roundRobin && { roundRobin }) },
      },
      live,
    );
  }
}
