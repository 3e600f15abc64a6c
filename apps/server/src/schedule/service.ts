/*
 * Schedule service verbs: the permission check first, then normalize, then write (with audit).
 * The computation itself is in compute/ (pure); this file loads what it needs and stores results.
 */
import { requirePermission, requirePermissionSomewhere, requireSelfOr, type Actor } from '../auth/actor.js';
import { audit } from '../audit.js';
import { inTransaction, type Ctx, type Tx } from '../context.js';
import { conflict, invalid, notFound, type FieldError } from '../lib/errors.js';
import { newId, newSecret, sha256 } from '../lib/ids.js';
import { parse } from '../lib/validate.js';
import { findTeam } from '../team/service.js';
import { finalSchedule, gaps as computeGaps, loadSplitOfPairs, onCallAndHandoffs, validateScheduleSpec, type LayerSpec, type Shift, type TimeRange } from './compute/index.js';
import { isValidZone } from './compute/zone.js';
import { renderIcal, type IcalEvent } from './ical.js';
import {
  allSchedules,
  deleteLeaveRow,
  deleteOverrideRow,
  deleteScheduleRow,
  feedSubject,
  findSchedule,
  insertLeave,
  insertOverrideRow,
  insertSchedule,
  insertSwap,
  leaveFromRow,
  leaveRow,
  leaveRows,
  overrideFromRow,
  overrideRow,
  overridesIn,
  overridesOverlapping,
  participantIds,
  policiesNaming,
  replaceFeed,
  specFor,
  specsFor,
  swapFromRow,
  swapRow,
  swapRows,
  touchSchedules,
  updateOpenSwap,
  updateScheduleRow,
  userIdByIdOrEmail,
  usersById,
} from './store.js';
import {
  instantField,
  LeaveInput,
  MAX_RANGE_MS,
  OverrideInput,
  ScheduleInput,
  SwapOfferInput,
  SwapTakeInput,
  TakeInput,
  type FinalScheduleAnswer,
  type LoadRow,
  type OnCallAnswer,
  type Schedule,
  type ScheduleOverride,
  type ScheduleUser,
  type SwapRequest,
  type UserLeave,
  type UserShift,
} from './types.js';
import { must } from '../lib/must.js';

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
/** The longest override, leave or swap offer accepted. */
const MAX_SPAN_MS = 366 * DAY;

function fail(errors: FieldError[], what: string): never {
  throw invalid(`Invalid ${what}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors);
}

/** A user id from an id or email, or undefined. */
async function resolveUser(db: Tx, ref: string): Promise<string | undefined> {
  const r = await userIdByIdOrEmail(db, ref, ref.trim().toLowerCase());
  return r?.id;
}

async function requireSchedule(db: Tx, idOrName: string): Promise<Schedule> {
  const s = await findSchedule(db, idOrName);
  if (!s) throw notFound('Schedule');
  return s;
}

/** Normalize, then write: TypeBox shape, users and team resolved, instants read, then the full spec check. */
async function normalizeSchedule(db: Tx, input: unknown): Promise<{ v: ScheduleInput; teamId: string | null; layers: LayerSpec[] }> {
  const v = parse(ScheduleInput, input, 'schedule');
  const errors: FieldError[] = [];
  let teamId: string | null = null;
  if (v.teamId) {
    const t = await findTeam(db, v.teamId);
    if (t) teamId = t.id;
    else errors.push({ path: 'teamId', message: `unknown team ${v.teamId}` });
  }
  const scheduleZone = isValidZone(v.timeZone) ? v.timeZone : 'UTC';
  const layers: LayerSpec[] = [];
  for (const [li, l] of v.layers.entries()) {
    const zone = l.timeZone && isValidZone(l.timeZone) ? l.timeZone : scheduleZone;
    const participants: (string | string[])[] = [];
    for (const [pi, p] of l.participants.entries()) {
      const refs = typeof p === 'string' ? [p] : p;
      const ids: string[] = [];
      for (const ref of refs) {
        const id = await resolveUser(db, ref);
        if (id) ids.push(id);
        else errors.push({ path: `layers.${li}.participants.${pi}`, message: `unknown user ${ref}` });
      }
      participants.push(typeof p === 'string' ? (ids[0] ?? p) : ids);
    }
    const layer: LayerSpec = {
      ...(l.name !== undefined && { name: l.name }),
      participants,
      turn: {
        unit: l.turn.unit,
        count: l.turn.count,
        ...(l.turn.weekdays !== undefined && { weekdays: l.turn.weekdays }),
        ...(l.turn.onCallMinutes !== undefined && { onCallMinutes: l.turn.onCallMinutes }),
      },
      ...(l.handoffTime !== undefined && { handoffTime: l.handoffTime }),
      ...(l.timeZone !== undefined && { timeZone: l.timeZone }),
      start: instantField(errors, `layers.${li}.start`, l.start, zone),
      ...(l.rotationStart !== undefined && { rotationStart: instantField(errors, `layers.${li}.rotationStart`, l.rotationStart, zone) }),
      ...(l.end !== undefined && { end: instantField(errors, `layers.${li}.end`, l.end, zone) }),
      ...(l.restrictions !== undefined && l.restrictions.length > 0 && { restrictions: l.restrictions }),
      ...(l.priority !== undefined && { priority: l.priority }),
    };
    layers.push(layer);
  }
  for (const e of validateScheduleSpec({ timeZone: v.timeZone, layering: v.layering, layers })) {
    if (!errors.some((x) => x.path === e.path)) errors.push(e);
  }
  if (errors.length) fail(errors, 'schedule');
  return { v, teamId, layers };
}

/** Every schedule. */
export async function listSchedules(ctx: Ctx, actor: Actor): Promise<Schedule[]> {
  requirePermission(actor, 'read');
  return allSchedules(ctx.db.kysely);
}

/** One schedule by id or name. */
export async function getSchedule(ctx: Ctx, actor: Actor, idOrName: string): Promise<Schedule> {
  requirePermission(actor, 'read');
  return requireSchedule(ctx.db.kysely, idOrName);
}

/** Creates a schedule. Admins only. */
export async function createSchedule(ctx: Ctx, actor: Actor, input: unknown): Promise<Schedule> {
  requirePermissionSomewhere(actor, 'admin');
  const now = ctx.clock.now();
  const s = await inTransaction(ctx, async (trx) => {
    const { v, teamId, layers } = await normalizeSchedule(trx, input);
    requirePermission(actor, 'admin', teamId);
    if (await findSchedule(trx, v.name)) throw conflict(`A schedule named "${v.name}" already exists`);
    const id = newId();
    await insertSchedule(trx, {
      id,
      name: v.name,
      description: v.description ?? '',
      team_id: teamId,
      time_zone: v.timeZone,
      layering: v.layering ?? 'precedence',
      layers: JSON.stringify(layers),
      handoff_notice_minutes: v.handoffNoticeMinutes ?? 60,
      gap_notice_days: v.gapNoticeDays ?? 14,
      handoff_check_at: 0,
      gap_check_at: 0,
      created_at: now,
      updated_at: now,
    });
    const after = must(await findSchedule(trx, id), 'the new schedule');
    await audit(trx, now, actor, 'schedule.create', id, { name: v.name }, { after });
    return after;
  });
  ctx.wake();
  return s;
}

/** Replaces a schedule's settings and layers (overrides, swaps and leave are kept). Admins only. */
export async function updateSchedule(ctx: Ctx, actor: Actor, idOrName: string, input: unknown): Promise<Schedule> {
  requirePermissionSomewhere(actor, 'admin');
  const now = ctx.clock.now();
  const s = await inTransaction(ctx, async (trx) => {
    const existing = await requireSchedule(trx, idOrName);
    requirePermission(actor, 'admin', existing.teamId);
    const { v, teamId, layers } = await normalizeSchedule(trx, input);
    if (teamId !== existing.teamId) requirePermission(actor, 'admin', teamId);
    const clash = await findSchedule(trx, v.name);
    if (clash && clash.id !== existing.id) throw conflict(`A schedule named "${v.name}" already exists`);
    await updateScheduleRow(trx, existing.id, {
      name: v.name,
      description: v.description ?? '',
      team_id: teamId,
      time_zone: v.timeZone,
      layering: v.layering ?? 'precedence',
      layers: JSON.stringify(layers),
      handoff_notice_minutes: v.handoffNoticeMinutes ?? 60,
      gap_notice_days: v.gapNoticeDays ?? 14,
      handoff_check_at: 0,
      gap_check_at: 0,
      updated_at: now,
    });
    const after = must(await findSchedule(trx, existing.id), 'the updated schedule');
    await audit(trx, now, actor, 'schedule.update', existing.id, { name: v.name }, { before: existing, after });
    return after;
  });
  ctx.wake();
  return s;
}

/** Deletes a schedule with its overrides and swaps; refused while an escalation policy targets it. Admins only. */
export async function deleteSchedule(ctx: Ctx, actor: Actor, idOrName: string): Promise<void> {
  requirePermissionSomewhere(actor, 'admin');
  await inTransaction(ctx, async (trx) => {
    const s = await requireSchedule(trx, idOrName);
    requirePermission(actor, 'admin', s.teamId);
    const using = await policiesNaming(trx, s.id);
    if (using.length)
      throw conflict(
        `Escalation polic${using.length === 1 ? 'y' : 'ies'} ${using.map((p) => `"${p.name}"`).join(', ')} target${using.length === 1 ? 's' : ''} this schedule; change ${using.length === 1 ? 'it' : 'them'} first`,
      );
    await deleteScheduleRow(trx, s.id);
    await audit(trx, ctx.clock.now(), actor, 'schedule.delete', s.id, { name: s.name }, { before: s });
  });
}

// ---- overrides ----

/** Overrides of a schedule that overlap [from, to) (default: from now on), oldest first. */
export async function listOverrides(ctx: Ctx, actor: Actor, idOrName: string, range: { from?: unknown; to?: unknown } = {}): Promise<ScheduleOverride[]> {
  requirePermission(actor, 'read');
  const s = await requireSchedule(ctx.db.kysely, idOrName);
  const r = readRange(s.timeZone, range.from, range.to, ctx.clock.now(), { defaultFrom: ctx.clock.now(), defaultLengthMs: MAX_RANGE_MS });
  return overridesIn(ctx.db.kysely, s.id, r);
}

async function insertOverride(
  trx: Tx,
  o: { scheduleId: string; userIds: string[]; start: number; end: number; kind: ScheduleOverride['kind']; note: string; swapId?: string | null; createdBy: string | null; now: number },
): Promise<ScheduleOverride> {
  const row = {
    id: newId(),
    schedule_id: o.scheduleId,
    user_ids: JSON.stringify(o.userIds),
    start_at: o.start,
    end_at: o.end,
    kind: o.kind,
    note: o.note,
    swap_id: o.swapId ?? null,
    created_by: o.createdBy,
    created_at: o.now,
  };
  await insertOverrideRow(trx, row);
  await touchSchedules(trx, o.scheduleId);
  return overrideFromRow(row);
}

const actorUserId = (actor: Actor): string | null => (actor.type === 'user' ? actor.id : null);

/** Puts exactly the given people on call for a span. Responders may put themselves in; admins anyone. */
export async function addOverride(ctx: Ctx, actor: Actor, idOrName: string, input: unknown): Promise<ScheduleOverride> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const v = parse(OverrideInput, input, 'override');
  const now = ctx.clock.now();
  const o = await inTransaction(ctx, async (trx) => {
    const s = await requireSchedule(trx, idOrName);
    requirePermission(actor, 'incident.respond', s.teamId);
    const errors: FieldError[] = [];
    const userIds: string[] = [];
    for (const [i, ref] of v.userIds.entries()) {
      const id = await resolveUser(trx, ref);
      if (!id) errors.push({ path: `userIds.${i}`, message: `unknown user ${ref}` });
      else if (!userIds.includes(id)) userIds.push(id);
    }
    const start = instantField(errors, 'start', v.start, s.timeZone);
    const end = instantField(errors, 'end', v.end, s.timeZone);
    checkSpan(errors, start, end);
    if (errors.length) fail(errors, 'override');
    if (!(userIds.length === 1 && userIds[0] === actorUserId(actor))) requirePermission(actor, 'admin', s.teamId);
    const o = await insertOverride(trx, { scheduleId: s.id, userIds, start, end, kind: 'manual', note: v.note ?? '', createdBy: actorUserId(actor), now });
    await audit(trx, now, actor, 'schedule.override.add', s.id, { overrideId: o.id, userIds, start, end });
    return o;
  });
  ctx.wake();
  return o;
}

/** Removes an override. Admins, whoever created it, and the people it puts on call may. */
export async function removeOverride(ctx: Ctx, actor: Actor, overrideId: string): Promise<void> {
  requirePermissionSomewhere(actor, 'incident.respond');
  await inTransaction(ctx, async (trx) => {
    const r = await overrideRow(trx, overrideId);
    if (!r) throw notFound('Override');
    const o = overrideFromRow(r);
    const teamId = (await findSchedule(trx, o.scheduleId))?.teamId ?? null;
    requirePermission(actor, 'incident.respond', teamId);
    const me = actorUserId(actor);
    if (!(me && (o.createdBy === me || o.userIds.includes(me)))) requirePermission(actor, 'admin', teamId);
    await deleteOverrideRow(trx, o.id);
    await touchSchedules(trx, o.scheduleId);
    await audit(trx, ctx.clock.now(), actor, 'schedule.override.remove', o.scheduleId, { overrideId: o.id, userIds: o.userIds, start: o.start, end: o.end });
  });
  ctx.wake();
}

/**
 * What is wrong with a span of an override, leave or swap (its end's field error), or undefined.
 * The verbs check with it, and `klaxon apply` plans with it, so a file is refused up front, with
 * every problem at once, by the same rule.
 */
export function spanProblem(start: number, end: number): FieldError | undefined {
  const errors: FieldError[] = [];
  checkSpan(errors, start, end);
  return errors[0];
}

function checkSpan(errors: FieldError[], start: number, end: number): void {
  if (Number.isNaN(start) || Number.isNaN(end)) return;
  if (end <= start) errors.push({ path: 'end', message: 'must be after start' });
  else if (end - start > MAX_SPAN_MS) errors.push({ path: 'end', message: 'must be at most 366 days after start' });
}

/** "Take on-call now for N hours": an override from now to now + N hours for the actor (or, for admins, someone else). */
export async function takeOnCall(ctx: Ctx, actor: Actor, idOrName: string, input: unknown): Promise<ScheduleOverride> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const v = parse(TakeInput, input, 'take on-call');
  const now = ctx.clock.now();
  const o = await inTransaction(ctx, async (trx) => {
    const s = await requireSchedule(trx, idOrName);
    requirePermission(actor, 'incident.respond', s.teamId);
    const userId = await takerId(trx, actor, v.userId, s.teamId);
    const end = now + Math.round(v.hours * HOUR);
    const o = await insertOverride(trx, { scheduleId: s.id, userIds: [userId], start: now, end, kind: 'take', note: v.note ?? '', createdBy: actorUserId(actor), now });
    await audit(trx, now, actor, 'schedule.take', s.id, { overrideId: o.id, userId, start: now, end });
    return o;
  });
  ctx.wake();
  return o;
}

/** The user an action is for: `ref` (admins only, unless it is the actor) or the actor. */
async function takerId(trx: Tx, actor: Actor, ref: string | undefined, teamId: string | null): Promise<string> {
  const me = actorUserId(actor);
  if (ref === undefined) {
    if (!me) throw invalid('userId: required when not acting as a user', [{ path: 'userId', message: 'required' }]);
    return me;
  }
  const id = await resolveUser(trx, ref);
  if (!id) throw invalid(`userId: unknown user ${ref}`, [{ path: 'userId', message: `unknown user ${ref}` }]);
  if (id !== me) requirePermission(actor, 'admin', teamId);
  return id;
}

// ---- swaps ----

/** Offers a span of the actor's shifts on a schedule for a teammate to take. */
export async function offerSwap(ctx: Ctx, actor: Actor, idOrName: string, input: unknown): Promise<SwapRequest> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const v = parse(SwapOfferInput, input, 'swap offer');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    const s = await requireSchedule(trx, idOrName);
    requirePermission(actor, 'incident.respond', s.teamId);
    const userId = await takerId(trx, actor, v.userId, s.teamId);
    const errors: FieldError[] = [];
    const start = instantField(errors, 'start', v.start, s.timeZone);
    const end = instantField(errors, 'end', v.end, s.timeZone);
    checkSpan(errors, start, end);
    if (!errors.length && end <= now) errors.push({ path: 'end', message: 'must be in the future' });
    if (errors.length) fail(errors, 'swap offer');
    const range = { start: Math.max(start, now), end };
    const mine = finalSchedule(await specFor(trx, s, range), range).filter((x) => x.userIds.includes(userId));
    if (!mine.length) throw invalid('That span holds none of your on-call time on this schedule', [{ path: 'start', message: 'no shift of yours in this span' }]);
    const row = { id: newId(), schedule_id: s.id, offered_by: userId, start_at: start, end_at: end, note: v.note ?? '', status: 'open', taken_by: null, taken_at: null, created_at: now };
    await insertSwap(trx, row);
    await audit(trx, now, actor, 'schedule.swap.offer', s.id, { swapId: row.id, userId, start, end });
    return swapFromRow(row);
  });
}

/** A schedule's swap requests (default: the open ones), newest first. */
export async function listSwaps(ctx: Ctx, actor: Actor, idOrName: string, status: SwapRequest['status'] | 'all' = 'open'): Promise<SwapRequest[]> {
  requirePermission(actor, 'read');
  const s = await requireSchedule(ctx.db.kysely, idOrName);
  return (await swapRows(ctx.db.kysely, s.id, status)).map(swapFromRow);
}

/**
 * Takes an offered shift: the taker replaces the offerer in every shift of the offerer's within the
 * offered span (from now on), as overrides. The offer is claimed by compare-and-set, so two takers
 * cannot both get it.
 */
export async function takeSwap(ctx: Ctx, actor: Actor, swapId: string, input: unknown = {}): Promise<{ swap: SwapRequest; overrides: ScheduleOverride[] }> {
  requirePermissionSomewhere(actor, 'incident.respond');
  const v = parse(SwapTakeInput, input, 'swap take');
  const now = ctx.clock.now();
  const out = await inTransaction(ctx, async (trx) => {
    const r = await swapRow(trx, swapId);
    if (!r) throw notFound('Swap request');
    const swap = swapFromRow(r);
    const s = await requireSchedule(trx, swap.scheduleId);
    requirePermission(actor, 'incident.respond', s.teamId);
    const taker = await takerId(trx, actor, v.userId, s.teamId);
    if (swap.status !== 'open') throw conflict(`This swap request is already ${swap.status}`);
    if (taker === swap.offeredBy) throw invalid('You cannot take your own offer', [{ path: 'userId', message: 'is the person who offered it' }]);
    const range = { start: Math.max(swap.start, now), end: swap.end };
    if (range.end <= range.start) throw conflict('This swap request has expired');
    const theirs = finalSchedule(await specFor(trx, s, range), range).filter((x) => x.userIds.includes(swap.offeredBy));
    if (!theirs.length) throw conflict('Nothing is left to take: the offered span no longer holds any of their shifts');
    const claimed = await updateOpenSwap(trx, swap.id, { status: 'taken', taken_by: taker, taken_at: now });
    if (!claimed) throw conflict('Someone else took this swap request first');
    const overrides: ScheduleOverride[] = [];
    for (const sh of theirs) {
      const userIds = [...new Set(sh.userIds.map((u) => (u === swap.offeredBy ? taker : u)))];
      overrides.push(await insertOverride(trx, { scheduleId: s.id, userIds, start: sh.start, end: sh.end, kind: 'swap', note: swap.note, swapId: swap.id, createdBy: actorUserId(actor), now }));
    }
    await audit(trx, now, actor, 'schedule.swap.take', s.id, { swapId: swap.id, from: swap.offeredBy, to: taker, overrides: overrides.map((o) => o.id) });
    return { swap: { ...swap, status: 'taken' as const, takenBy: taker, takenAt: now }, overrides };
  });
  ctx.wake();
  return out;
}

/** Withdraws an open offer. The offerer or an admin. */
export async function cancelSwap(ctx: Ctx, actor: Actor, swapId: string): Promise<SwapRequest> {
  requirePermissionSomewhere(actor, 'incident.respond');
  return inTransaction(ctx, async (trx) => {
    const r = await swapRow(trx, swapId);
    if (!r) throw notFound('Swap request');
    const swap = swapFromRow(r);
    const teamId = (await findSchedule(trx, swap.scheduleId))?.teamId ?? null;
    requirePermission(actor, 'incident.respond', teamId);
    if (!(actor.type === 'user' && actor.id === swap.offeredBy)) requirePermission(actor, 'admin', teamId);
    if (!(await updateOpenSwap(trx, swap.id, { status: 'cancelled' }))) throw conflict(`This swap request is already ${swap.status}`);
    await audit(trx, ctx.clock.now(), actor, 'schedule.swap.cancel', swap.scheduleId, { swapId: swap.id });
    return { ...swap, status: 'cancelled' };
  });
}

// ---- leave ----

async function requireUser(db: Tx, ref: string): Promise<ScheduleUser> {
  const id = await resolveUser(db, ref);
  const u = id ? (await usersById(db, [id])).get(id) : undefined;
  if (!u) throw notFound('User');
  return u;
}

/** A user's leave that has not ended yet (or all of it with `all`). */
export async function listLeave(ctx: Ctx, actor: Actor, userRef: string, all = false): Promise<UserLeave[]> {
  requirePermission(actor, 'read');
  const u = await requireUser(ctx.db.kysely, userRef);
  return (await leaveRows(ctx.db.kysely, u.id, all ? null : ctx.clock.now())).map(leaveFromRow);
}

/** Records leave for a user (their own, or anyone's for admins); local times are read in the user's zone. */
export async function addLeave(ctx: Ctx, actor: Actor, userId: string, input: unknown): Promise<UserLeave> {
  requireSelfOr(actor, userId, 'admin');
  const v = parse(LeaveInput, input, 'leave');
  const now = ctx.clock.now();
  const l = await inTransaction(ctx, async (trx) => {
    const u = await requireUser(trx, userId);
    const errors: FieldError[] = [];
    const start = instantField(errors, 'start', v.start, u.timeZone);
    const end = instantField(errors, 'end', v.end, u.timeZone);
    checkSpan(errors, start, end);
    if (errors.length) fail(errors, 'leave');
    const row = { id: newId(), user_id: u.id, start_at: start, end_at: end, note: v.note ?? '', created_by: actorUserId(actor), created_at: now };
    await insertLeave(trx, row);
    await touchSchedules(trx);
    await audit(trx, now, actor, 'leave.add', u.id, { leaveId: row.id, start, end });
    return leaveFromRow(row);
  });
  ctx.wake();
  return l;
}

/** Removes leave: the user themselves or an admin. */
export async function removeLeave(ctx: Ctx, actor: Actor, leaveId: string): Promise<void> {
  requirePermission(actor, 'self.manage');
  await inTransaction(ctx, async (trx) => {
    const r = await leaveRow(trx, leaveId);
    if (!r) throw notFound('Leave');
    requireSelfOr(actor, r.user_id, 'admin');
    await deleteLeaveRow(trx, r.id);
    await touchSchedules(trx);
    await audit(trx, ctx.clock.now(), actor, 'leave.remove', r.user_id, { leaveId: r.id });
  });
  ctx.wake();
}

// ---- questions ----

/** Reads an optional [from, to) range in `zone`, with defaults and the size limit. */
function readRange(zone: string, from: unknown, to: unknown, now: number, d: { defaultFrom: number; defaultLengthMs: number }): TimeRange {
  const errors: FieldError[] = [];
  const start = from === undefined || from === '' ? d.defaultFrom : instantField(errors, 'from', from, zone);
  const end = to === undefined || to === '' ? (Number.isNaN(start) ? now : start) + d.defaultLengthMs : instantField(errors, 'to', to, zone);
  if (!errors.length) {
    if (end <= start) errors.push({ path: 'to', message: 'must be after from' });
    else if (end - start > MAX_RANGE_MS) errors.push({ path: 'to', message: 'the range may span at most 732 days' });
  }
  if (errors.length) fail(errors, 'range');
  return { start, end };
}

function readAt(zone: string, at: unknown, now: number): number {
  if (at === undefined || at === '') return now;
  const errors: FieldError[] = [];
  const t = instantField(errors, 'at', at, zone);
  if (errors.length) fail(errors, 'instant');
  return t;
}

/** How far ahead "until when, and who next" looks. */
const NEXT_HORIZON_MS = 400 * DAY;

/** Who is on call for each schedule at `at`, until when and who next, with two queries for the overrides and leave of all of them. */
async function answerOnCall(db: Tx, list: readonly Schedule[], at: number): Promise<OnCallAnswer[]> {
  const specs = await specsFor(db, list, { start: at, end: at + NEXT_HORIZON_MS });
  const answers = list.map((s) => {
    const spec = must(specs.get(s.id), 'specs.get(s.id)');
    const { now, handoffs } = onCallAndHandoffs(spec, at, 1, NEXT_HORIZON_MS);
    return { s, now, h: handoffs[0] };
  });
  const users = await usersById(
    db,
    answers.flatMap((a) => [...(a.now?.userIds ?? []), ...(a.h?.next?.userIds ?? [])]),
  );
  const pick = (ids: readonly string[] = []) => ids.map((id) => users.get(id) ?? { id, name: id, email: '', timeZone: 'UTC' });
  return answers.map(({ s, now, h }) => ({ scheduleId: s.id, scheduleName: s.name, at, users: pick(now?.userIds), source: now?.source ?? null, until: h?.at ?? null, next: pick(h?.next?.userIds) }));
}

/** Who is on call for a schedule at `at` (default now), from which layer or override, and until when. */
export async function getOnCall(ctx: Ctx, actor: Actor, idOrName: string, at?: unknown): Promise<OnCallAnswer> {
  requirePermission(actor, 'read');
  const s = await requireSchedule(ctx.db.kysely, idOrName);
  return must((await answerOnCall(ctx.db.kysely, [s], readAt(s.timeZone, at, ctx.clock.now())))[0], 'the on-call answer');
}

/** Who is on call for every schedule at `at` (default now). Local times are read in UTC. */
export async function listOnCall(ctx: Ctx, actor: Actor, at?: unknown): Promise<OnCallAnswer[]> {
  requirePermission(actor, 'read');
  const t = readAt('UTC', at, ctx.clock.now());
  return answerOnCall(ctx.db.kysely, await allSchedules(ctx.db.kysely), t);
}

/** The final schedule over [from, to) (default: the next 7 days), with gaps and the people named. */
export async function getFinalSchedule(ctx: Ctx, actor: Actor, idOrName: string, range: { from?: unknown; to?: unknown } = {}): Promise<FinalScheduleAnswer> {
  requirePermission(actor, 'read');
  const s = await requireSchedule(ctx.db.kysely, idOrName);
  const now = ctx.clock.now();
  const r = readRange(s.timeZone, range.from, range.to, now, { defaultFrom: now, defaultLengthMs: 7 * DAY });
  const shifts = finalSchedule(await specFor(ctx.db.kysely, s, r), r);
  const users = await usersById(
    ctx.db.kysely,
    shifts.flatMap((x) => x.userIds),
  );
  return { schedule: { id: s.id, name: s.name, timeZone: s.timeZone }, from: r.start, to: r.end, shifts, gaps: gapsOf(shifts, r), users: Object.fromEntries(users) };
}

function gapsOf(shifts: readonly Shift[], r: TimeRange): TimeRange[] {
  const out: TimeRange[] = [];
  let pos = r.start;
  for (const s of shifts) {
    if (s.start > pos) out.push({ start: pos, end: s.start });
    pos = Math.max(pos, s.end);
  }
  if (r.end > pos) out.push({ start: pos, end: r.end });
  return out;
}

/** Coverage gaps in the next `days` days (default 14, at most 366) from now. */
export async function getGaps(
  ctx: Ctx,
  actor: Actor,
  idOrName: string,
  days: unknown = 14,
): Promise<{ schedule: { id: string; name: string; timeZone: string }; from: number; to: number; gaps: TimeRange[] }> {
  requirePermission(actor, 'read');
  const n = days === undefined || days === '' ? 14 : Number(days);
  if (!Number.isInteger(n) || n < 1 || n > 366) fail([{ path: 'days', message: 'must be a whole number of days from 1 to 366' }], 'gap query');
  const s = await requireSchedule(ctx.db.kysely, idOrName);
  const now = ctx.clock.now();
  const r = { start: now, end: now + n * DAY };
  return { schedule: { id: s.id, name: s.name, timeZone: s.timeZone }, from: r.start, to: r.end, gaps: computeGaps(await specFor(ctx.db.kysely, s, r), r) };
}

/** Schedules a user can appear on in `range`: as a participant, or through an override. */
async function schedulesOf(db: Tx, userId: string, range: TimeRange): Promise<Schedule[]> {
  const viaOverride = new Set((await overridesOverlapping(db, range)).filter((r) => (JSON.parse(r.user_ids) as string[]).includes(userId)).map((r) => r.schedule_id));
  return (await allSchedules(db)).filter((s) => viaOverride.has(s.id) || participantIds(s.layers).includes(userId));
}

/** A user's shifts on every schedule over [from, to) (default: the next 28 days), in time order. */
export async function getUserShifts(
  ctx: Ctx,
  actor: Actor,
  userRef: string,
  range: { from?: unknown; to?: unknown } = {},
): Promise<{ user: ScheduleUser; from: number; to: number; shifts: UserShift[] }> {
  requirePermission(actor, 'read');
  const u = await requireUser(ctx.db.kysely, userRef);
  const now = ctx.clock.now();
  const r = readRange(u.timeZone, range.from, range.to, now, { defaultFrom: now, defaultLengthMs: 28 * DAY });
  const shifts = await userShiftsIn(ctx.db.kysely, u.id, r);
  return { user: u, from: r.start, to: r.end, shifts };
}

async function userShiftsIn(db: Tx, userId: string, r: TimeRange): Promise<UserShift[]> {
  const out: UserShift[] = [];
  for (const s of await schedulesOf(db, userId, r)) {
    for (const sh of finalSchedule(await specFor(db, s, r), r)) {
      if (sh.userIds.includes(userId)) out.push({ scheduleId: s.id, scheduleName: s.name, start: sh.start, end: sh.end, userIds: sh.userIds, source: sh.source });
    }
  }
  return out.sort((a, b) => a.start - b.start || a.scheduleName.localeCompare(b.scheduleName));
}

/**
 * Hours on call per person over [from, to) (default: the last 30 days), on one schedule or all,
 * split into business hours, evenings, nights and weekends in each person's own time zone.
 * Time on call on two schedules at once counts once.
 */
export async function getOnCallLoad(ctx: Ctx, actor: Actor, q: { from?: unknown; to?: unknown; schedule?: string } = {}): Promise<{ from: number; to: number; schedules: string[]; load: LoadRow[] }> {
  requirePermission(actor, 'read');
  const db = ctx.db.kysely;
  const now = ctx.clock.now();
  const list = q.schedule ? [await requireSchedule(db, q.schedule)] : await allSchedules(db);
  const r = q.from === undefined && q.to === undefined ? { start: now - 30 * DAY, end: now } : readRange('UTC', q.from, q.to, now, { defaultFrom: now - 30 * DAY, defaultLengthMs: 30 * DAY });
  // Each person's shifts as [start, end, ...] numbers: a year of every schedule's shifts kept as
  // objects until the split costs more in garbage collection than the split itself.
  const byUser = new Map<string, number[]>();
  const specs = await specsFor(db, list, r);
  for (const s of list) {
    for (const sh of finalSchedule(must(specs.get(s.id), 'specs.get(s.id)'), r)) {
      for (const u of sh.userIds) {
        let l = byUser.get(u);
        if (!l) byUser.set(u, (l = []));
        l.push(sh.start, sh.end);
      }
    }
  }
  const users = await usersById(db, byUser.keys());
  const load: LoadRow[] = [];
  for (const [id, spans] of byUser) {
    const user = users.get(id) ?? { id, name: id, email: '', timeZone: 'UTC' };
    load.push({ user, hours: loadSplitOfPairs(spans, isValidZone(user.timeZone) ? user.timeZone : 'UTC', r) });
  }
  load.sort((a, b) => b.hours.total - a.hours.total || a.user.name.localeCompare(b.user.name));
  return { from: r.start, to: r.end, schedules: list.map((s) => s.name), load };
}

// ---- iCal feeds ----

/** The path of an iCal feed under the public URL. */
export function icalPath(kind: 'user' | 'schedule', secret: string): string {
  return `/api/v1/ical/${kind === 'user' ? 'users' : 'schedules'}/${secret}.ics`;
}

async function replaceFeedSecret(trx: Tx, kind: 'user' | 'schedule', subjectId: string, now: number): Promise<string> {
  const secret = newSecret('', 24);
  await replaceFeed(trx, kind, subjectId, { id: newId(), secret_hash: sha256(secret), created_at: now });
  return secret;
}

/** (Re)generates a user's iCal feed secret and returns its URL once; the old URL stops working. Self or admin. */
export async function regenerateUserIcal(ctx: Ctx, actor: Actor, userId: string): Promise<{ url: string }> {
  requireSelfOr(actor, userId, 'admin');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    const u = await requireUser(trx, userId);
    const secret = await replaceFeedSecret(trx, 'user', u.id, now);
    await audit(trx, now, actor, 'ical.user.regenerate', u.id, {});
    return { url: `${ctx.publicUrl}${icalPath('user', secret)}` };
  });
}

/** (Re)generates a schedule's iCal feed secret and returns its URL once; the old URL stops working. Admins only. */
export async function regenerateScheduleIcal(ctx: Ctx, actor: Actor, idOrName: string): Promise<{ url: string }> {
  requirePermissionSomewhere(actor, 'admin');
  const now = ctx.clock.now();
  return inTransaction(ctx, async (trx) => {
    const s = await requireSchedule(trx, idOrName);
    requirePermission(actor, 'admin', s.teamId);
    const secret = await replaceFeedSecret(trx, 'schedule', s.id, now);
    await audit(trx, now, actor, 'ical.schedule.regenerate', s.id, {}, { subjectType: 'schedule' });
    return { url: `${ctx.publicUrl}${icalPath('schedule', secret)}` };
  });
}

/** How much of the past and future a feed holds. */
const FEED_PAST_MS = 30 * DAY;
const FEED_FUTURE_MS = 180 * DAY;
/** How far past the window a shift that has not ended is followed (a layer with one person never ends). */
const FEED_FOLLOW_MS = 365 * DAY;

/**
 * The whole shifts of `s` that overlap `r`: not cut at r's edges. Computes over a wider range and
 * widens it (doubling) while the first shift starts at the range's start after the schedule's
 * earliest layer or override start, or the last one ends at the range's end before every source ends
 * (at most FEED_FOLLOW_MS past r). A shift's start, and so an event's UID, is the same whichever day
 * the feed is read.
 */
async function wholeShiftsIn(db: Tx, s: Schedule, r: TimeRange): Promise<Shift[]> {
  const followUntil = r.end + FEED_FOLLOW_MS;
  let wide = { start: r.start - 7 * DAY, end: r.end + 7 * DAY };
  let inside: Shift[] = [];
  for (let round = 0; round < 24; round++) {
    const spec = await specFor(db, s, wide);
    inside = finalSchedule(spec, wide).filter((sh) => sh.end > r.start && sh.start < r.end);
    const first = inside[0];
    const last = inside[inside.length - 1];
    const earliest = Math.min(...spec.layers.map((l) => l.start), ...(spec.overrides ?? []).map((o) => o.start));
    const ends = [...spec.layers.map((l) => l.end ?? Number.POSITIVE_INFINITY), ...(spec.overrides ?? []).map((o) => o.end)];
    const latest = Math.min(Math.max(...ends), followUntil);
    const cutBefore = first !== undefined && first.start <= wide.start && wide.start > earliest;
    const cutAfter = last !== undefined && last.end >= wide.end && wide.end < latest;
    if (!cutBefore && !cutAfter) break;
    const span = wide.end - wide.start;
    wide = { start: cutBefore ? Math.max(earliest, wide.start - span) : wide.start, end: cutAfter ? Math.min(latest, wide.end + span) : wide.end };
  }
  return inside;
}

/**
 * The iCalendar text of the feed a secret opens (the secret is the credential: no actor). Holds
 * every shift that overlaps 30 days ago to 180 days ahead, whole (a shift running across either
 * edge keeps its real start and end), in UTC. Throws not_found for an unknown secret.
 */
export async function icalFeed(ctx: Ctx, kind: 'user' | 'schedule', secret: string): Promise<string> {
  const db = ctx.db.kysely;
  const feed = await feedSubject(db, kind, sha256(secret));
  if (!feed) throw notFound('Calendar feed');
  const now = ctx.clock.now();
  const dayStart = Math.floor(now / DAY) * DAY;
  const r = { start: dayStart - FEED_PAST_MS, end: dayStart + FEED_FUTURE_MS };
  const events: IcalEvent[] = [];
  const url = (s: Schedule) => `${ctx.publicUrl}/schedules/${s.id}`;
  if (kind === 'schedule') {
    const s = await findSchedule(db, feed.subject_id);
    if (!s) throw notFound('Calendar feed');
    const shifts = await wholeShiftsIn(db, s, r);
    const users = await usersById(
      db,
      shifts.flatMap((x) => x.userIds),
    );
    for (const sh of shifts) {
      const names = sh.userIds.map((id) => users.get(id)?.name ?? id).join(', ');
      events.push({
        uid: `${s.id}-${sh.start}-${sha256(sh.userIds.join(',')).slice(0, 8)}`,
        start: sh.start,
        end: sh.end,
        summary: `On call: ${names}`,
        description: `${s.name}: ${names} (${sourceLabel(sh)})`,
        url: url(s),
      });
    }
    return renderIcal({ name: `On call: ${s.name}`, now, events });
  }
  const u = (await usersById(db, [feed.subject_id])).get(feed.subject_id);
  if (!u) throw notFound('Calendar feed');
  const shifts: UserShift[] = [];
  for (const s of await schedulesOf(db, u.id, r)) {
    for (const sh of await wholeShiftsIn(db, s, r))
      if (sh.userIds.includes(u.id)) shifts.push({ scheduleId: s.id, scheduleName: s.name, start: sh.start, end: sh.end, userIds: sh.userIds, source: sh.source });
  }
  shifts.sort((a, b) => a.start - b.start || a.scheduleName.localeCompare(b.scheduleName));
  const schedules = new Map((await allSchedules(db)).map((s) => [s.id, s]));
  for (const sh of shifts) {
    const s = must(schedules.get(sh.scheduleId), 'schedules.get(sh.scheduleId)');
    events.push({
      uid: `${sh.scheduleId}-${u.id}-${sh.start}`,
      start: sh.start,
      end: sh.end,
      summary: `On call: ${sh.scheduleName}`,
      description: `You are on call for ${sh.scheduleName} (${sourceLabel(sh)})`,
      url: url(s),
    });
  }
  return renderIcal({ name: `${u.name}: on call`, now, events });
}

function sourceLabel(sh: { source: Shift['source'] }): string {
  return sh.source.kind === 'override' ? 'override' : `layer ${sh.source.layerName ?? sh.source.layerIndex + 1}`;
}
