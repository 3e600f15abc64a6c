import { SYSTEM } from '../auth/actor.js';
import type { Ctx } from '../context.js';
import { appendTimeline } from '../incident/timeline.js';
import { formatUtc } from '../lib/format.js';
import { enqueueMessage } from '../notify/outbox.js';
import { inBatch } from '../engine/batch.js';
import type { EngineModule } from '../engine/engine.js';
import { claimStatusReminder, incidentsDueForUpdates, latestUpdateTiming } from './store.js';

/**
 * Reminds the incident manager when a status update is overdue: the last update's next-update time,
 * else its time (or the incident's opening) plus the interval of the incident's severity level.
 * One reminder per incident and due time (a row in status_reminders claims it). Drills included:
 * the incident manager practises too; stakeholders never hear of it.
 */
export const statusRemindersModule: EngineModule = {
  name: 'status-reminders',
  async updateAll(ctx: Ctx): Promise<void> {
    const now = ctx.clock.now();
    const db = ctx.db.kysely;
    const open = await incidentsDueForUpdates(db);
    const overdue = [];
    for (const inc of open) {
      const last = await latestUpdateTiming(db, inc.id);
      if (last?.phase === 'resolved') continue;
      const interval = Number(inc.interval) * 60_000;
      const due = last ? (last.next_update_at !== null ? Number(last.next_update_at) : Number(last.at) + interval) : Number(inc.created_at) + interval;
      if (due > now) continue;
      overdue.push({ inc, last, due });
    }
    await inBatch(ctx, 'status-reminders', overdue, async (trx, live, { inc, last, due }) => {
      if (!(await claimStatusReminder(trx, inc.id, due, now))) return;
      const late = Math.round((now - due) / 60_000);
      const drill = Number(inc.drill) === 1 ? 'DRILL: ' : '';
      await appendTimeline(
        trx,
        {
          incidentId: inc.id,
          at: now,
          type: 'status.reminder',
          actor: SYSTEM,
          via: 'engine',
          message: `Status update overdue${late > 0 ? ` by ${late} min` : ''}: reminded ${inc.name}`,
          data: { dueAt: due, userId: inc.user_id },
        },
        live,
      );
      await enqueueMessage(trx, now, {
        channel: 'email',
        destination: inc.email,
        userId: inc.user_id,
        incidentId: inc.id,
        message: {
          kind: 'status_update',
          event: 'reminder',
          subject: `${drill}Status update overdue: #${inc.number} ${inc.title}`,
          text: `Hi ${inc.name},\n\nThe next status update for ${inc.sev} incident #${inc.number} "${inc.title}" was due at ${formatUtc(due)}. Stakeholders are waiting: post an update (phase, impact, next update time).`,
          url: `${ctx.publicUrl}/incidents/${inc.number}`,
          incidentId: inc.id,
          phase: last?.phase ?? null,
          unsubscribeUrl: null,
        },
      });
    });
  },
};
