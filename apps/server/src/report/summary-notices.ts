import type { Ctx } from '../context.js';
import { enqueueMessage } from '../notify/outbox.js';
import type { ReportNoticeMessage } from '../notify/types.js';
import { lastWeekStart, SUMMARY_ACTOR, weeklySummary } from './summary.js';
import { inBatch } from '../engine/batch.js';
import type { EngineModule } from '../engine/engine.js';
import { claimReportSummary, reportSubscribers, teamsAwaitingSummary } from './store.js';

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
    const teams = await teamsAwaitingSummary(db, week);
    const summaries = [];
    for (const { team_id } of teams) summaries.push({ team_id, s: await weeklySummary(ctx, SUMMARY_ACTOR, team_id, week) });
    await inBatch(ctx, 'report-summary', summaries, async (trx, _live, { team_id, s }) => {
      if (!(await claimReportSummary(trx, team_id, week, now))) return;
      const subs = await reportSubscribers(trx, team_id);
      for (const u of subs) {
        const message: ReportNoticeMessage = {
          kind: 'report',
          event: 'weekly-summary',
          userName: u.name,
          summary: `Weekly report: ${s.team.name}, week of ${new Date(week).toISOString().slice(0, 10)}`,
          text: s.text,
          url: `${ctx.publicUrl}/reports?team=${encodeURIComponent(team_id)}`,
        };
        await enqueueMessage(trx, now, { channel: 'email', destination: u.email, message, userId: u.id });
      }
    });
  },
};
