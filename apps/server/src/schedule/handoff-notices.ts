import type { Ctx, Tx } from '../context.js';
import { notificationPlan } from '../escalation/targets.js';
import { enqueueMessage } from '../notify/outbox.js';
import type { Channel, ScheduleNoticeMessage } from '../notify/types.js';
import { formatSpan, shiftsIn, usersById, type Schedule } from './index.js';
import { claimHandoffNotice, dueHandoffChecks, moveHandoffCheck, scheduleFromRow } from './store.js';
import { inBatch } from '../engine/batch.js';
import type { EngineModule } from '../engine/engine.js';
import { contactMethodAddresses } from '../user/store.js';
import { must } from '../lib/must.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
/** A "you are on call now" notice later than this after the change is stale and not sent. */
const START_GRACE_MS = 15 * MINUTE;
/** How far past the notice window to look for where a shift ends. */
const END_HORIZON_MS = 35 * DAY;
/** A schedule is looked at again at least this often (new shifts come into the window as time passes). */
const RECHECK_MS = HOUR;

/** A stretch of time one person is on call on a schedule without a break (sources merged). */
interface Stint {
  userId: string;
  start: number;
  /** Null when it runs past the look-ahead. */
  end: number | null;
  /** Who else is on call at its start. */
  with: string[];
  /** Who was on call just before (empty for a gap). */
  after: string[];
}

/** Per-person stretches of a final schedule; a stretch running in from `from` is left out (it started earlier). */
function stintsOf(shifts: readonly { start: number; end: number; userIds: string[] }[], from: number, to: number): Stint[] {
  const open = new Map<string, Stint>();
  const out: Stint[] = [];
  let prevEnd = from;
  let prevUsers: string[] = [];
  for (const s of shifts) {
    const contiguous = s.start === prevEnd;
    for (const [u, st] of open) {
      if (!contiguous || !s.userIds.includes(u)) {
        st.end = prevEnd;
        open.delete(u);
      }
    }
    for (const u of s.userIds) {
      if (open.has(u)) continue;
      const st: Stint = { userId: u, start: s.start, end: null, with: s.userIds.filter((x) => x !== u), after: contiguous ? prevUsers.filter((x) => x !== u) : [] };
      open.set(u, st);
      if (s.start > from) out.push(st);
    }
    prevEnd = s.end;
    prevUsers = s.userIds;
  }
  for (const st of open.values()) st.end = prevEnd >= to ? null : prevEnd;
  return out;
}

/** The contact methods a schedule notice goes to: the user's first notification tier, preferring anything over a phone call. */
export async function noticeMethods(db: Tx, userId: string): Promise<{ id: string; type: Channel; address: string }[]> {
  const plan = await notificationPlan(db, userId);
  if (!plan.length) return [];
  const rows = await contactMethodAddresses(db, [...new Set(plan.map((p) => p.contactMethodId))]);
  const byId = new Map(rows.map((r) => [r.id, { id: r.id, type: r.type as Channel, address: r.address }]));
  const tier = (voice: boolean) => {
    const fit = plan.filter((p) => (byId.get(p.contactMethodId)?.type === 'voice') === voice);
    if (!fit.length) return [];
    const min = Math.min(...fit.map((p) => p.delayMinutes));
    return [...new Set(fit.filter((p) => p.delayMinutes === min).map((p) => p.contactMethodId))].map((id) => must(byId.get(id), 'byId.get(id)'));
  };
  const quiet = tier(false);
  return quiet.length ? quiet : tier(true);
}

/**
 * Hand-off notices: "you are on call for Primary from Mon 2 Mar 09:00 to Mon 9 Mar 09:00", sent
 * `handoffNoticeMinutes` before a person's on-call stretch starts and again when it starts, to their
 * first notification tier through the outbox. Each (user, schedule, start, kind) is claimed by an
 * insert into schedule_handoff_notices, so it goes out once however many cycles or instances run.
 * A schedule is looked at when its handoff_check_at is due: at the next notice time, at least
 * hourly, and at once after any change to it, its overrides or leave.
 */
export const scheduleHandoffModule: EngineModule = {
  name: 'schedule-handoff',
  async updateAll(ctx: Ctx): Promise<void> {
    const now = ctx.clock.now();
    const due = await dueHandoffChecks(ctx.db.kysely, now);
    const checks = [];
    for (const row of due) checks.push(await checkSchedule(ctx, scheduleFromRow(row), Number(row.handoff_check_at), now));
    await inBatch(ctx, 'schedule-handoff', checks, (trx, _live, check) => sendNotices(ctx, trx, check, now));
  },
};

/** What one schedule's check found: the notices due and when to look at it next. */
interface HandoffCheck {
  s: Schedule;
  checkAt: number;
  next: number;
  notices: { stint: Stint; kind: 'upcoming' | 'start' }[];
  users: Map<string, { id: string; name: string; timeZone: string }>;
}

async function checkSchedule(ctx: Ctx, s: Schedule, checkAt: number, now: number): Promise<HandoffCheck> {
  const db = ctx.db.kysely;
  const lead = s.handoffNoticeMinutes * MINUTE;
  const from = now - START_GRACE_MS - MINUTE;
  const to = now + lead + END_HORIZON_MS;
  const stints = stintsOf(await shiftsIn(db, s, { start: from, end: to }), from, to);
  let next = now + RECHECK_MS;
  const notices: { stint: Stint; kind: 'upcoming' | 'start' }[] = [];
  for (const st of stints) {
    if (lead > 0 && now >= st.start - lead && now < st.start) notices.push({ stint: st, kind: 'upcoming' });
    else if (now >= st.start && now < st.start + START_GRACE_MS) notices.push({ stint: st, kind: 'start' });
    for (const t of lead > 0 ? [st.start - lead, st.start] : [st.start]) if (t > now && t < next) next = t;
  }
  const users = notices.length
    ? await usersById(
        db,
        notices.flatMap((n) => [n.stint.userId, ...n.stint.with, ...n.stint.after]),
      )
    : new Map();
  return { s, checkAt, next, notices, users };
}

/** Sends the notices one check found (each claimed once) and moves the schedule's next check. */
async function sendNotices(ctx: Ctx, trx: Tx, { s, checkAt, next, notices, users }: HandoffCheck, now: number): Promise<void> {
  const name = (id: string) => users.get(id)?.name ?? id;
  {
    for (const { stint, kind } of notices) {
      if (!(await claimHandoffNotice(trx, { userId: stint.userId, scheduleId: s.id, shiftStart: stint.start, kind, now }))) continue;
      const u = users.get(stint.userId);
      if (!u) continue;
      const span = `${formatSpan(stint.start, stint.end, u.timeZone, now)} (${u.timeZone})`;
      const summary = kind === 'upcoming' ? `You will be on call for ${s.name} from ${span}` : `You are now on call for ${s.name}, from ${span}`;
      const extra = [
        kind === 'upcoming' ? `It starts in ${Math.max(1, Math.round((stint.start - now) / MINUTE))} minutes.` : '',
        stint.with.length ? `On call with you: ${stint.with.map(name).join(', ')}.` : '',
        stint.after.length ? `You take over from ${stint.after.map(name).join(', ')}.` : '',
      ].filter(Boolean);
      const message: ScheduleNoticeMessage = {
        kind: 'schedule',
        event: kind === 'upcoming' ? 'handoff.upcoming' : 'handoff.start',
        scheduleId: s.id,
        scheduleName: s.name,
        userName: u.name,
        start: stint.start,
        end: stint.end,
        summary,
        text: [`${summary}.`, ...extra].join(' '),
        url: `${ctx.publicUrl}/schedules/${s.id}`,
      };
      for (const m of await noticeMethods(trx, u.id)) {
        await enqueueMessage(trx, now, { channel: m.type, destination: m.address, message, userId: u.id, contactMethodId: m.id });
      }
    }
    // Only move the check time if nothing reset it meanwhile (a change to the schedule sets it to 0).
    await moveHandoffCheck(trx, s.id, checkAt, next);
  }
}
