/*
 * Schedule storage: rows <-> types, and loading a schedule's computable spec (layers, the overrides
 * and the participants' leave that touch a range). Query-builder types stay in this file.
 */
import type { Insertable, Selectable, Updateable } from 'kysely';
import type { Tx } from '../context.js';
import type { ScheduleOverrideTable, ScheduleSwapTable, ScheduleTable, UserLeaveTable } from './tables.js';
import type { LayerSpec, Leave, Override, ScheduleSpec, TimeRange } from './compute/index.js';
import type { OverrideKind, Schedule, ScheduleOverride, ScheduleUser, SwapRequest, UserLeave } from './types.js';

type ScheduleRow = {
  id: string;
  name: string;
  description: string;
  team_id: string | null;
  time_zone: string;
  layering?: string;
  layers: string;
  handoff_notice_minutes: number;
  gap_notice_days: number;
  created_at: number;
  updated_at: number;
};

/** Row -> Schedule. */
export function scheduleFromRow(r: ScheduleRow): Schedule {
  return {
    id: r.id,
    name: r.name,
    description: r.description,
    teamId: r.team_id,
    timeZone: r.time_zone,
    layering: r.layering === 'union' ? 'union' : 'precedence',
    layers: JSON.parse(r.layers) as LayerSpec[],
    handoffNoticeMinutes: Number(r.handoff_notice_minutes),
    gapNoticeDays: Number(r.gap_notice_days),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

/** Row -> ScheduleOverride. */
export function overrideFromRow(r: Selectable<ScheduleOverrideTable>): ScheduleOverride {
  return {
    id: r.id,
    scheduleId: r.schedule_id,
    userIds: JSON.parse(r.user_ids) as string[],
    start: Number(r.start_at),
    end: Number(r.end_at),
    kind: r.kind as OverrideKind,
    note: r.note,
    swapId: r.swap_id,
    createdBy: r.created_by,
    createdAt: Number(r.created_at),
  };
}

/** Row -> UserLeave. */
export function leaveFromRow(r: Selectable<UserLeaveTable>): UserLeave {
  return { id: r.id, userId: r.user_id, start: Number(r.start_at), end: Number(r.end_at), note: r.note, createdAt: Number(r.created_at) };
}

/** Row -> SwapRequest. */
export function swapFromRow(r: Selectable<ScheduleSwapTable>): SwapRequest {
  return {
    id: r.id,
    scheduleId: r.schedule_id,
    offeredBy: r.offered_by,
    start: Number(r.start_at),
    end: Number(r.end_at),
    note: r.note,
    status: r.status as SwapRequest['status'],
    takenBy: r.taken_by,
    takenAt: r.taken_at === null ? null : Number(r.taken_at),
    createdAt: Number(r.created_at),
  };
}

/** A schedule by id or name, or undefined. */
export async function findSchedule(db: Tx, idOrName: string): Promise<Schedule | undefined> {
  const r = await db
    .selectFrom('schedules')
    .selectAll()
    .where((eb) => eb.or([eb('id', '=', idOrName), eb('name', '=', idOrName)]))
    .executeTakeFirst();
  return r && scheduleFromRow(r);
}

/** Every schedule, by name. */
export async function allSchedules(db: Tx): Promise<Schedule[]> {
  const rows = await db.selectFrom('schedules').selectAll().orderBy('name').execute();
  return rows.map(scheduleFromRow);
}

/** Every user id a schedule's layers name. */
export function participantIds(layers: readonly LayerSpec[]): string[] {
  const ids = new Set<string>();
  for (const l of layers) for (const p of l.participants) for (const u of typeof p === 'string' ? [p] : p) ids.add(u);
  return [...ids];
}

/** A schedule's overrides that overlap `range`, oldest first (later ones win). */
export async function overridesIn(db: Tx, scheduleId: string, range: TimeRange): Promise<ScheduleOverride[]> {
  const rows = await db
    .selectFrom('schedule_overrides')
    .selectAll()
    .where('schedule_id', '=', scheduleId)
    .where('end_at', '>', range.start)
    .where('start_at', '<', range.end)
    .orderBy('created_at')
    .orderBy('id')
    .execute();
  return rows.map(overrideFromRow);
}

/** Leave of any of `userIds` that overlaps `range`. */
export async function leaveIn(db: Tx, userIds: readonly string[], range: TimeRange): Promise<UserLeave[]> {
  if (!userIds.length) return [];
  const rows = await db
    .selectFrom('user_leave')
    .selectAll()
    .where('user_id', 'in', [...userIds])
    .where('end_at', '>', range.start)
    .where('start_at', '<', range.end)
    .orderBy('start_at')
    .execute();
  return rows.map(leaveFromRow);
}

function specOf(s: Schedule, overrides: readonly ScheduleOverride[], leave: readonly UserLeave[]): ScheduleSpec {
  return {
    timeZone: s.timeZone,
    layering: s.layering,
    layers: s.layers,
    overrides: overrides.map((o): Override => ({ id: o.id, userIds: o.userIds, start: o.start, end: o.end })),
    leave: leave.map((l): Leave => ({ id: l.id, userId: l.userId, start: l.start, end: l.end })),
  };
}

/**
 * The computable spec of a schedule for questions about `range`: its layers, and only the overrides
 * and participants' leave that touch the range (everything else cannot change the answer there).
 */
export async function specFor(db: Tx, s: Schedule, range: TimeRange): Promise<ScheduleSpec> {
  const [overrides, leave] = await Promise.all([overridesIn(db, s.id, range), leaveIn(db, participantIds(s.layers), range)]);
  return specOf(s, overrides, leave);
}

/** specFor for many schedules at once, in two queries (for questions about every schedule); one schedule uses its indexes. */
export async function specsFor(db: Tx, schedules: readonly Schedule[], range: TimeRange): Promise<Map<string, ScheduleSpec>> {
  const out = new Map<string, ScheduleSpec>();
  if (!schedules.length) return out;
  const [only] = schedules;
  if (schedules.length === 1 && only) return out.set(only.id, await specFor(db, only, range));
  const wanted = new Set(schedules.map((s) => s.id));
  const [overrideRows, leaveRows] = await Promise.all([
    db.selectFrom('schedule_overrides').selectAll().where('end_at', '>', range.start).where('start_at', '<', range.end).orderBy('created_at').orderBy('id').execute(),
    db.selectFrom('user_leave').selectAll().where('end_at', '>', range.start).where('start_at', '<', range.end).orderBy('start_at').execute(),
  ]);
  const overrides = new Map<string, ScheduleOverride[]>();
  for (const r of overrideRows) {
    if (!wanted.has(r.schedule_id)) continue;
    const list = overrides.get(r.schedule_id) ?? [];
    list.push(overrideFromRow(r));
    overrides.set(r.schedule_id, list);
  }
  const leave = new Map<string, UserLeave[]>();
  for (const r of leaveRows) {
    const list = leave.get(r.user_id) ?? [];
    list.push(leaveFromRow(r));
    leave.set(r.user_id, list);
  }
  for (const s of schedules)
    out.set(
      s.id,
      specOf(
        s,
        overrides.get(s.id) ?? [],
        participantIds(s.layers).flatMap((u) => leave.get(u) ?? []),
      ),
    );
  return out;
}

/** People by id (unknown ids are left out). */
export async function usersById(db: Tx, ids: Iterable<string>): Promise<Map<string, ScheduleUser>> {
  const list = [...new Set(ids)];
  const out = new Map<string, ScheduleUser>();
  if (!list.length) return out;
  for (let i = 0; i < list.length; i += 500) {
    const rows = await db
      .selectFrom('users')
      .select(['id', 'name', 'email', 'time_zone'])
      .where('id', 'in', list.slice(i, i + 500))
      .execute();
    for (const r of rows) out.set(r.id, { id: r.id, name: r.name, email: r.email, timeZone: r.time_zone });
  }
  return out;
}

/** Asks the engine to look at schedules again now (after a change that may move hand-offs or gaps). */
export async function touchSchedules(db: Tx, scheduleId?: string): Promise<void> {
  let q = db.updateTable('schedules').set({ handoff_check_at: 0, gap_check_at: 0 });
  if (scheduleId) q = q.where('id', '=', scheduleId);
  await q.execute();
}

/** Schedules whose hand-off check is due, oldest first (at most 200). */
export async function dueHandoffChecks(db: Tx, now: number) {
  return db.selectFrom('schedules').selectAll().where('handoff_check_at', '<=', now).orderBy('handoff_check_at').limit(200).execute();
}

/** Schedules with gap notices whose gap check is due, oldest first (at most 200). */
export async function dueGapChecks(db: Tx, now: number) {
  return db.selectFrom('schedules').selectAll().where('gap_check_at', '<=', now).where('gap_notice_days', '>', 0).orderBy('gap_check_at').limit(200).execute();
}

/** Claims a hand-off notice of (user, schedule, shift start, kind); false when it was sent already. */
export async function claimHandoffNotice(db: Tx, n: { userId: string; scheduleId: string; shiftStart: number; kind: string; now: number }): Promise<boolean> {
  const claimed = await db
    .insertInto('schedule_handoff_notices')
    .values({ user_id: n.userId, schedule_id: n.scheduleId, shift_start: n.shiftStart, kind: n.kind, sent_at: n.now })
    .onConflict((oc) => oc.columns(['user_id', 'schedule_id', 'shift_start', 'kind']).doNothing())
    .executeTakeFirst();
  return !!Number(claimed.numInsertedOrUpdatedRows ?? 0);
}

/** Claims the notice of a gap of a schedule (by where it starts); false when it was sent already. */
export async function claimGapNotice(db: Tx, n: { scheduleId: string; gapStart: number; gapEnd: number; recipients: number; now: number }): Promise<boolean> {
  const claimed = await db
    .insertInto('schedule_gap_notices')
    .values({ schedule_id: n.scheduleId, gap_start: n.gapStart, gap_end: n.gapEnd, recipients: n.recipients, sent_at: n.now })
    .onConflict((oc) => oc.columns(['schedule_id', 'gap_start']).doNothing())
    .executeTakeFirst();
  return !!Number(claimed.numInsertedOrUpdatedRows ?? 0);
}

/** Moves a schedule's hand-off check to `next`, only if nothing reset it since it was read as `checkAt`. */
export async function moveHandoffCheck(db: Tx, scheduleId: string, checkAt: number, next: number): Promise<void> {
  await db.updateTable('schedules').set({ handoff_check_at: next }).where('id', '=', scheduleId).where('handoff_check_at', '=', checkAt).execute();
}

/** Moves a schedule's gap check to `next`, only if nothing reset it since it was read as `checkAt`. */
export async function moveGapCheck(db: Tx, scheduleId: string, checkAt: number, next: number): Promise<void> {
  await db.updateTable('schedules').set({ gap_check_at: next }).where('id', '=', scheduleId).where('gap_check_at', '=', checkAt).execute();
}

/** The people and span of each override of a schedule (config as code compares them). */
export async function overrideSpans(db: Tx, scheduleId: string): Promise<{ user_ids: string; start_at: number; end_at: number }[]> {
  return db.selectFrom('schedule_overrides').select(['user_ids', 'start_at', 'end_at']).where('schedule_id', '=', scheduleId).execute();
}

// ---- Schedule verbs (schedule/service.ts) ----

/** A user's id from their id or (lower-case) email. */
export async function userIdByIdOrEmail(db: Tx, id: string, email: string): Promise<{ id: string } | undefined> {
  return db
    .selectFrom('users')
    .select('id')
    .where((eb) => eb.or([eb('id', '=', id), eb('email', '=', email)]))
    .executeTakeFirst();
}

/** Inserts a schedule. */
export async function insertSchedule(db: Tx, row: Insertable<ScheduleTable>): Promise<void> {
  await db.insertInto('schedules').values(row).execute();
}

/** Updates a schedule. */
export async function updateScheduleRow(db: Tx, id: string, set: Updateable<ScheduleTable>): Promise<void> {
  await db.updateTable('schedules').set(set).where('id', '=', id).execute();
}

/** The names of the escalation policies whose levels mention a schedule id. */
export async function policiesNaming(db: Tx, scheduleId: string): Promise<{ name: string }[]> {
  return db.selectFrom('escalation_policies').select(['name']).where('levels', 'like', `%${scheduleId}%`).execute();
}

/** Deletes a schedule. */
export async function deleteScheduleRow(db: Tx, id: string): Promise<void> {
  await db.deleteFrom('schedules').where('id', '=', id).execute();
}

/** Inserts an override. */
export async function insertOverrideRow(db: Tx, row: Insertable<ScheduleOverrideTable>): Promise<void> {
  await db.insertInto('schedule_overrides').values(row).execute();
}

/** An override row. */
export async function overrideRow(db: Tx, id: string) {
  return db.selectFrom('schedule_overrides').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Deletes an override. */
export async function deleteOverrideRow(db: Tx, id: string): Promise<void> {
  await db.deleteFrom('schedule_overrides').where('id', '=', id).execute();
}

/** Inserts a swap request. */
export async function insertSwap(db: Tx, row: Insertable<ScheduleSwapTable>): Promise<void> {
  await db.insertInto('schedule_swaps').values(row).execute();
}

/** A schedule's swap requests, newest first, of one status or all. */
export async function swapRows(db: Tx, scheduleId: string, status: string | 'all') {
  let q = db.selectFrom('schedule_swaps').selectAll().where('schedule_id', '=', scheduleId);
  if (status !== 'all') q = q.where('status', '=', status);
  return q.orderBy('created_at', 'desc').execute();
}

/** A swap request row. */
export async function swapRow(db: Tx, id: string) {
  return db.selectFrom('schedule_swaps').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Moves an open swap request on (taken or cancelled); false when it was not open any more. */
export async function updateOpenSwap(db: Tx, id: string, set: Updateable<ScheduleSwapTable>): Promise<boolean> {
  const r = await db.updateTable('schedule_swaps').set(set).where('id', '=', id).where('status', '=', 'open').executeTakeFirst();
  return !!r.numUpdatedRows;
}

/** A user's leave, by start: all of it, or what ends after `after`. */
export async function leaveRows(db: Tx, userId: string, after: number | null) {
  let q = db.selectFrom('user_leave').selectAll().where('user_id', '=', userId);
  if (after !== null) q = q.where('end_at', '>', after);
  return q.orderBy('start_at').execute();
}

/** Inserts leave. */
export async function insertLeave(db: Tx, row: Insertable<UserLeaveTable>): Promise<void> {
  await db.insertInto('user_leave').values(row).execute();
}

/** A leave row. */
export async function leaveRow(db: Tx, id: string) {
  return db.selectFrom('user_leave').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Deletes leave. */
export async function deleteLeaveRow(db: Tx, id: string): Promise<void> {
  await db.deleteFrom('user_leave').where('id', '=', id).execute();
}

/** The schedule and people of every override overlapping a range. */
export async function overridesOverlapping(db: Tx, range: TimeRange): Promise<{ schedule_id: string; user_ids: string }[]> {
  return db.selectFrom('schedule_overrides').select(['schedule_id', 'user_ids']).where('end_at', '>', range.start).where('start_at', '<', range.end).execute();
}

/** Replaces the calendar feed of a user or schedule: the old secret stops working. */
export async function replaceFeed(db: Tx, kind: 'user' | 'schedule', subjectId: string, row: { id: string; secret_hash: string; created_at: number }): Promise<void> {
  await db.deleteFrom('ical_feeds').where('kind', '=', kind).where('subject_id', '=', subjectId).execute();
  await db.insertInto('ical_feeds').values({ id: row.id, kind, subject_id: subjectId, secret_hash: row.secret_hash, created_at: row.created_at }).execute();
}

/** The subject of a calendar feed, by the hash of its secret. */
export async function feedSubject(db: Tx, kind: 'user' | 'schedule', secretHash: string): Promise<{ subject_id: string } | undefined> {
  return db.selectFrom('ical_feeds').select(['subject_id']).where('kind', '=', kind).where('secret_hash', '=', secretHash).executeTakeFirst();
}

/** Replaces a schedule's layers (JSON), e.g. when a deactivated person is taken out of its rotations. */
export async function setScheduleLayers(db: Tx, id: string, layers: string, now: number): Promise<void> {
  await db.updateTable('schedules').set({ layers, updated_at: now }).where('id', '=', id).execute();
}

/** Overrides not over yet (ending after `now`) that put this person on call. */
export async function overridesNamingUser(db: Tx, userId: string, now: number): Promise<{ id: string; schedule_id: string; user_ids: string }[]> {
  const rows = await db
    .selectFrom('schedule_overrides')
    .select(['id', 'schedule_id', 'user_ids'])
    .where('end_at', '>', now)
    .where('user_ids', 'like', `%${JSON.stringify(userId)}%`)
    .execute();
  return rows.filter((r) => (JSON.parse(r.user_ids) as string[]).includes(userId));
}

/** Replaces who an override puts on call. */
export async function setOverrideUsers(db: Tx, id: string, userIds: string[]): Promise<void> {
  await db
    .updateTable('schedule_overrides')
    .set({ user_ids: JSON.stringify(userIds) })
    .where('id', '=', id)
    .execute();
}
