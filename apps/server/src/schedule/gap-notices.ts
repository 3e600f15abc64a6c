import type { Ctx, Tx } from '../context.js';
import { enqueueMessage } from '../notify/outbox.js';
import type { ScheduleNoticeMessage } from '../notify/types.js';
import { formatLocal, formatSpan, shiftsIn, usersById, type Schedule } from './index.js';
import { claimGapNotice, dueGapChecks, moveGapCheck, scheduleFromRow } from './store.js';
import { inBatch } from '../engine/batch.js';
import type { EngineModule } from '../engine/engine.js';
import { memberRoles } from '../team/store.js';
import { noticeMethods } from './handoff-notices.js';
import { must } from '../lib/must.js';

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
/** How often a schedule is looked at again (new gaps enter the look-ahead as time passes). */
const RECHECK_MS = 15 * MINUTE;
/** How far back to look for where a gap that is already under way began. */
const LOOKBACK_MS = 90 * DAY;

/**
 * Coverage-gap notices: looks `gapNoticeDays` ahead on each schedule and tells the owner team's
 * managers (or, without managers, every member) about each gap once, before it starts (or at once
 * for a gap already under way). Each (schedule, gap start) is claimed by an insert into
 * schedule_gap_notices. A schedule is looked at every 15 minutes and at once after any change.
 */
export const scheduleGapsModule: EngineModule = {
  name: 'schedule-gaps',
  async updateAll(ctx: Ctx): Promise<void> {
    const now = ctx.clock.now();
    const due = await dueGapChecks(ctx.db.kysely, now);
    const checks = [];
    for (const row of due) checks.push(await checkSchedule(ctx, scheduleFromRow(row), Number(row.gap_check_at), now));
    await inBatch(ctx, 'schedule-gaps', checks, (trx, _live, check) => sendNotices(ctx, trx, check, now));
  },
};

/** What one schedule's check found: its gaps in the look-ahead and who hears of them. */
interface GapCheck {
  s: Schedule;
  checkAt: number;
  range: { start: number; end: number };
  gaps: { start: number; end: number }[];
  to: string[];
  users: Map<string, { id: string; name: string; timeZone: string }>;
}

/** Who hears about a schedule's gaps: its team's managers, else all its members. */
async function recipients(ctx: Ctx, s: Schedule): Promise<string[]> {
  if (!s.teamId) return [];
  const members = await memberRoles(ctx.db.kysely, s.teamId);
  const managers = members.filter((m) => m.role === 'manager');
  return (managers.length ? managers : members).map((m) => m.user_id);
}

async function checkSchedule(ctx: Ctx, s: Schedule, checkAt: number, now: number): Promise<GapCheck> {
  const db = ctx.db.kysely;
  const range = { start: now, end: now + s.gapNoticeDays * DAY };
  const shifts = await shiftsIn(db, s, range);
  const gaps: { start: number; end: number }[] = [];
  let pos = range.start;
  for (const sh of shifts) {
    if (sh.start > pos) gaps.push({ start: pos, end: sh.start });
    pos = sh.end;
  }
  if (range.end > pos) gaps.push({ start: pos, end: range.end });
  const first = gaps[0];
  if (first && first.start === now) {
    // Already under way: key it by where it really began, so it is reported once, not every cycle.
    const back = { start: Math.max(s.createdAt, now - LOOKBACK_MS), end: now };
    const before = back.end > back.start ? await shiftsIn(db, s, back) : [];
    first.start = before.length ? must(before[before.length - 1], 'before[before.length - 1]').end : s.createdAt;
  }
  const to = await recipients(ctx, s);
  const users = gaps.length && to.length ? await usersById(db, to) : new Map();
  return { s, checkAt, range, gaps, to, users };
}

/** Sends the notices of the gaps one check found (each claimed once) and moves the schedule's next check. */
async function sendNotices(ctx: Ctx, trx: Tx, { s, checkAt, range, gaps, to, users }: GapCheck, now: number): Promise<void> {
  {
    if (to.length) {
      for (const g of gaps) {
        if (!(await claimGapNotice(trx, { scheduleId: s.id, gapStart: g.start, gapEnd: g.end, recipients: to.length, now }))) continue;
        for (const id of to) {
          const u = users.get(id);
          if (!u) continue;
          const end = g.end >= range.end ? null : g.end;
          const shown = Math.max(g.start, now);
          const summary =
            end === null
              ? `${s.name} has nobody on call from ${formatLocal(shown, u.timeZone, now)} (${u.timeZone}) for at least ${Math.round((range.end - shown) / DAY)} days`
              : `${s.name} has nobody on call from ${formatSpan(shown, end, u.timeZone, now)} (${u.timeZone})`;
          const message: ScheduleNoticeMessage = {
            kind: 'schedule',
            event: 'gap',
            scheduleId: s.id,
            scheduleName: s.name,
            userName: u.name,
            start: g.start,
            end,
            summary,
            text: `${summary}. ${g.start <= now ? 'The gap has already begun: ' : ''}Alerts routed to ${s.name} during the gap will page nobody on this schedule. Add an override or change the rotation to cover it.`,
            url: `${ctx.publicUrl}/schedules/${s.id}`,
          };
          for (const m of await noticeMethods(trx, u.id)) {
            await enqueueMessage(trx, now, { channel: m.type, destination: m.address, message, userId: u.id, contactMethodId: m.id });
          }
        }
      }
    }
    await moveGapCheck(trx, s.id, checkAt, now + RECHECK_MS);
  }
}
