import type { FieldError } from '../lib/errors.js';
import { localToInstant, type Layering, type LayerSpec, type LoadSplit, type ShiftSource, type TimeRange } from './compute/index.js';

// The request schemas live in the API contract (packages/contract).
export { InstantInput, LayerInput, LeaveInput, OverrideInput, RestrictionInput, ScheduleInput, SwapOfferInput, SwapTakeInput, TakeInput } from '@klaxon/contract';

/** A schedule: its zone, layers (user ids, epoch-ms instants) and notice settings. */
export interface Schedule {
  id: string;
  name: string;
  description: string;
  teamId: string | null;
  timeZone: string;
  /** How layers combine (docs/schedules.md, Layering). */
  layering: Layering;
  layers: LayerSpec[];
  handoffNoticeMinutes: number;
  gapNoticeDays: number;
  createdAt: number;
  updatedAt: number;
}

/** How an override came to be. */
export type OverrideKind = 'manual' | 'take' | 'swap';

/** An override: exactly `userIds` are on call for [start, end). */
export interface ScheduleOverride {
  id: string;
  scheduleId: string;
  userIds: string[];
  start: number;
  end: number;
  kind: OverrideKind;
  note: string;
  swapId: string | null;
  createdBy: string | null;
  createdAt: number;
}

/** A swap request: a span of `offeredBy`'s shifts, open until a teammate takes it. */
export interface SwapRequest {
  id: string;
  scheduleId: string;
  offeredBy: string;
  start: number;
  end: number;
  note: string;
  status: 'open' | 'taken' | 'cancelled';
  takenBy: string | null;
  takenAt: number | null;
  createdAt: number;
}

/** A span a user is away; rotations skip them by the rule in docs/schedules.md. */
export interface UserLeave {
  id: string;
  userId: string;
  start: number;
  end: number;
  note: string;
  createdAt: number;
}

/** A person as schedule answers name them. */
export interface ScheduleUser {
  id: string;
  name: string;
  email: string;
  timeZone: string;
}

/** Who is on call for a schedule at one instant, where from, and until when. */
export interface OnCallAnswer {
  scheduleId: string;
  scheduleName: string;
  at: number;
  /** Empty in a gap. */
  users: ScheduleUser[];
  /** Null in a gap. */
  source: ShiftSource | null;
  /** When the on-call set next changes (null if not within two years). */
  until: number | null;
  /** Who is on call after that (empty for a gap or when unknown). */
  next: ScheduleUser[];
}

/** A shift of the final schedule, with people by id (see `users` beside it). */
export interface FinalShift {
  start: number;
  end: number;
  userIds: string[];
  source: ShiftSource;
}

/** The final schedule for a range: shifts, gaps and the people they name. */
export interface FinalScheduleAnswer {
  schedule: { id: string; name: string; timeZone: string };
  from: number;
  to: number;
  shifts: FinalShift[];
  gaps: TimeRange[];
  users: Record<string, ScheduleUser>;
}

/** One of a user's shifts, on some schedule. */
export interface UserShift {
  scheduleId: string;
  scheduleName: string;
  start: number;
  end: number;
  /** Everyone on call with the user in this shift (the user included). */
  userIds: string[];
  source: ShiftSource;
}

/** Hours on call for one person over a range, split in their own zone. */
export interface LoadRow {
  user: ScheduleUser;
  hours: LoadSplit;
}

/** The most a range query may span: a little over two years. */
export const MAX_RANGE_MS = 732 * 86_400_000;

/**
 * Reads an InstantInput: epoch ms, an ISO date-time with an offset, or a local date-time read in
 * `zone`. Returns null when it is none of these.
 */
export function parseInstant(v: unknown, zone: string): number | null {
  if (typeof v === 'number') return Number.isFinite(v) ? Math.trunc(v) : null;
  if (typeof v !== 'string') return null;
  const s = v.trim();
  if (/^-?\d{1,16}$/.test(s)) return Number(s);
  if (/(Z|[+-]\d{2}(:?\d{2})?)$/i.test(s) && /^\d{4}-\d{2}-\d{2}T/.test(s)) {
    const t = Date.parse(s);
    return Number.isNaN(t) ? null : t;
  }
  try {
    return localToInstant(s, zone);
  } catch {
    return null;
  }
}

/** parseInstant, pushing a field error (and returning NaN) when the value is unreadable. */
export function instantField(errors: FieldError[], path: string, v: unknown, zone: string): number {
  const t = parseInstant(v, zone);
  if (t === null) {
    errors.push({ path, message: 'must be epoch milliseconds, an ISO date-time with offset, or a local date-time YYYY-MM-DDTHH:MM' });
    return Number.NaN;
  }
  return t;
}
