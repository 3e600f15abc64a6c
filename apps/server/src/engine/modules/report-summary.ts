import type { Ctx } from '../../context.js';
import { enqueueMessage } from '../../notify/outbox.js';
import type { ReportNoticeMessage } from '../../notify/types.js';
import { lastWeekStart, SUMMARY_ACTOR, weeklySummary } from '../../report/summary.js';
import type { EngineModule } from '../engine.js';

/** Summaries go out this long after the week ends (Monday 08:00 UTC). */
const SEND_AFTER_MS = 8 * 3_600_000;

/**
 * The weekly report summary: once the week is over (Monday 08:00 UTC), each team with subscribers
 * gets last week's summary by email. A (team, week) is claimed by an insert into report_summaries,
 * so it goes out once however many cycles or instances run.
 */
export const reportSummaryModule: EngineModule = {
  name: 'report-summary',
  async updateAll(ctx: Ctx): Promise<void> {
    const now = ctx.clock.now();
    const week = lastWeekStart(now);
    if (now < week + 7 * 86_400_000 + SEND_AFTER_MS) return;
    const db = ctx.db.kysely;
    const teams = await db
      .selectFrom('report_subscriptions')
      .select('team_id')
      .distinct()
      .where((eb) => eb.not(eb.exists(eb.selectFrom('report_summaries').select('team_id').whereRef('report_summaries.team_id', '=', 'report_subscriptions.team_id').where('report_summaries.period_start', '=', week))))
      .execute();
    for (const { team_id } of teams) {
      const s = await weeklySummary(ctx, SUMMARY_ACTOR, team_id, week);
      await db.transaction().execute(async (trx) => {
        const claimed = await trx.insertInto('report_summaries').values({ team_id, period_start: week, sent_at: now }).onConflict((oc) => oc.columns(['team_id', 'period_start']).doNothing()).executeTakeFirst();
        if (!Number(claimed.numInsertedOrUpdatedRows ?? 0)) return;
        const subs = await trx.selectFrom('report_subscriptions').innerJoin('users', 'users.id', 'report_subscriptions.user_id').select(['users.id', 'users.name', 'users.email']).where('report_subscriptions.team_id', '=', team_id).execute();
        for (const u of subs) {
          const message: ReportNoticeMessage = { kind: 'report', event: 'weekly-summary', userName: u.name, summary: `Weekly report: ${s.team.name}, week of ${new Date(week).toISOString().slice(0, 10)}`, text: s.text, url: `${ctx.publicUrl}/reports?team=${encodeURIComponent(team_id)}` };
          await enqueueMessage(trx, now, { channel: 'email', destination: u.email, message, userId: u.id });
        }
      });
    }
  },
};
