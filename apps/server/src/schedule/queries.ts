/*
 * Questions about schedules asked by other parts of Klaxon (escalation, engine modules, iCal) on a
 * database handle, without an actor: callers have already decided the question may be asked.
 */
import type { Tx } from '../context.js';
import { DAY_MS } from './compute/zone.js';
import { finalSchedule, onCallAndHandoffs, onCallAt, type OnCall, type Shift, type TimeRange } from './compute/index.js';
import { findSchedule, specFor } from './store.js';
import type { Schedule } from './types.js';
import { must } from '../lib/must.js';

/** How far ahead "who is next" looks. */
const NEXT_HORIZON_MS = 400 * DAY_MS;

/** Who a schedule has on call at `at` (null in a gap); undefined when the schedule does not exist. */
export async function whoIsOnCall(db: Tx, idOrName: string, at: number): Promise<{ schedule: Schedule; onCall: OnCall | null } | undefined> {
  const schedule = await findSchedule(db, idOrName);
  if (!schedule) return undefined;
  const spec = await specFor(db, schedule, { start: at, end: at + 1 });
  return { schedule, onCall: onCallAt(spec, at) };
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((u) => b.includes(u));
}

/**
 * The schedule's next on-call after whoever is on call at `at` (the backup): the first later set of
 * people that differs from the current one. Null when nobody is scheduled within ~13 months.
 */
export async function nextOnCall(db: Tx, schedule: Schedule, at: number): Promise<{ onCall: OnCall; from: number } | null> {
  const spec = await specFor(db, schedule, { start: at, end: at + NEXT_HORIZON_MS });
  const { now: current, handoffs } = onCallAndHandoffs(spec, at, 20, NEXT_HORIZON_MS);
  for (const h of handoffs) {
    if (h.next && !(current && sameSet(current.userIds, h.next.userIds))) return { onCall: h.next, from: h.at };
  }
  return null;
}

/** The final schedule of `schedule` over `range`, with the overrides and leave that touch it. */
export async function shiftsIn(db: Tx, schedule: Schedule, range: TimeRange): Promise<Shift[]> {
  return finalSchedule(await specFor(db, schedule, range), range);
}

/** How far back "who was on call before" looks. */
const PREVIOUS_HORIZON_MS = 400 * DAY_MS;

/**
 * The schedule's previous on-call before whoever is on call at `at` (Opsgenie's "previous"): the
 * last earlier set of people that differs from the current one. Null when nobody was scheduled within
 * ~13 months before.
 */
export async function previousOnCall(db: Tx, schedule: Schedule, at: number): Promise<{ onCall: OnCall; until: number } | null> {
  const current = onCallAt(await specFor(db, schedule, { start: at, end: at + 1 }), at);
  let end = at;
  for (let chunk = 7 * DAY_MS; end > at - PREVIOUS_HORIZON_MS; chunk *= 2) {
    const start = Math.max(end - chunk, at - PREVIOUS_HORIZON_MS);
    const shifts = finalSchedule(await specFor(db, schedule, { start, end }), { start, end });
    for (let i = shifts.length - 1; i >= 0; i--) {
      const s = must(shifts[i], 'shifts[i]');
      if (s.userIds.length && !(current && sameSet(current.userIds, s.userIds))) return { onCall: { userIds: s.userIds, source: s.source }, until: s.end };
    }
    end = start;
  }
  return null;
}
