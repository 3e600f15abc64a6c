import { Type, type Static } from '@sinclair/typebox';
import type { FieldError } from '../lib/errors.js';
import { localToInstant, type Layering, type LayerSpec, type LoadSplit, type ShiftSource, type TimeRange } from './compute/index.js';

/**
 * An instant as the API accepts it: epoch milliseconds, an ISO date-time with an offset
 * ("2026-03-02T09:00:00Z", "2026-03-02T10:00+01:00"), or a local date-time without one
 * ("2026-03-02T09:00", "2026-03-02"), read in the schedule's (or layer's) time zone.
 */
export const InstantInput = Type.Union([Type.Integer(), Type.String({ minLength: 4, maxLength: 40 })], {
  description: 'Epoch milliseconds, ISO date-time with offset, or local date-time (read in the schedule time zone)',
});
/** InstantInput as a TypeScript type. */
export type InstantInput = Static<typeof InstantInput>;

const WeekdaySchema = Type.Union((['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const).map((d) => Type.Literal(d)));
const Time = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$', description: 'HH:MM local time' });

/** A weekly window a layer is limited to (see docs/schedules.md, Restrictions). */
export const RestrictionInput = Type.Union([
  Type.Object({ kind: Type.Literal('weekly'), startDay: WeekdaySchema, startTime: Time, endDay: WeekdaySchema, endTime: Time }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('daily'), days: Type.Array(WeekdaySchema, { minItems: 1, maxItems: 7 }), start: Time, end: Time }, { additionalProperties: false }),
  Type.Object(
    { kind: Type.Literal('preset'), preset: Type.Union((['business-hours', 'weekdays', 'nights', 'weekends'] as const).map((p) => Type.Literal(p))) },
    { additionalProperties: false },
  ),
]);

const UserRef = Type.String({ minLength: 1, maxLength: 254, description: 'User id or email' });

/** One rotation layer as the API accepts it: users by id or email, instants in any InstantInput form. */
export const LayerInput = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 100 })),
    participants: Type.Array(Type.Union([UserRef, Type.Array(UserRef, { maxItems: 20 })]), {
      minItems: 1,
      maxItems: 100,
      description: 'Rotation order: a user, or a group of users on call together ([] is a turn nobody covers)',
    }),
    turn: Type.Object(
      {
        unit: Type.Union([Type.Literal('second'), Type.Literal('minute'), Type.Literal('hour'), Type.Literal('day'), Type.Literal('week')]),
        count: Type.Integer({ minimum: 1, maximum: 31_622_400, description: 'How many units one turn lasts (at most 366 days)' }),
        weekdays: Type.Optional(Type.Array(WeekdaySchema, { minItems: 1, maxItems: 7, description: 'Day turns only: only these weekdays count and hand off (default: every day)' })),
        onCallMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_800_000, description: 'Only the first N minutes of each turn are on call (default: the whole turn)' })),
      },
      { additionalProperties: false },
    ),
    handoffTime: Type.Optional(Type.String({ description: 'HH:MM local hand-off time (day and week turns)' })),
    timeZone: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'IANA zone of this layer; defaults to the schedule zone' })),
    start: InstantInput,
    rotationStart: Type.Optional(InstantInput),
    end: Type.Optional(InstantInput),
    restrictions: Type.Optional(Type.Array(RestrictionInput, { maxItems: 50 })),
    priority: Type.Optional(Type.Integer({ minimum: -1000, maximum: 1000 })),
  },
  { additionalProperties: false },
);
/** LayerInput as a TypeScript type. */
export type LayerInput = Static<typeof LayerInput>;

/** Input to create or replace a schedule. */
export const ScheduleInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    teamId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200, description: 'Owner team id or name' }), Type.Null()])),
    timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Berlin' }),
    layering: Type.Optional(
      Type.Union([Type.Literal('precedence'), Type.Literal('union')], {
        description: 'precedence (default): the highest-precedence layer with someone on call wins; union: everyone on call in the highest-priority group of layers is on call together',
      }),
    ),
    layers: Type.Array(LayerInput, { maxItems: 20 }),
    handoffNoticeMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_080, description: 'Tell people this many minutes before their shift starts (0: only at the change). Default 60.' })),
    gapNoticeDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 90, description: 'Tell the owner team about gaps this many days ahead (0: never). Default 14.' })),
  },
  { additionalProperties: false },
);
/** ScheduleInput as a TypeScript type. */
export type ScheduleInput = Static<typeof ScheduleInput>;

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

/** Input to add an override. */
export const OverrideInput = Type.Object(
  {
    userIds: Type.Array(UserRef, { minItems: 1, maxItems: 20, description: 'Exactly these people are on call during the span' }),
    start: InstantInput,
    end: InstantInput,
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
/** OverrideInput as a TypeScript type. */
export type OverrideInput = Static<typeof OverrideInput>;

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

/** Input for "take on-call now for N hours". */
export const TakeInput = Type.Object(
  {
    hours: Type.Number({ exclusiveMinimum: 0, maximum: 168, description: 'How long, from now' }),
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'Who takes it (admins only for someone else); default: you' })),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
/** TakeInput as a TypeScript type. */
export type TakeInput = Static<typeof TakeInput>;

/** Input to offer a span of one's shifts to teammates. */
export const SwapOfferInput = Type.Object(
  {
    start: InstantInput,
    end: InstantInput,
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'Whose shift (admins only for someone else); default: you' })),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
/** SwapOfferInput as a TypeScript type. */
export type SwapOfferInput = Static<typeof SwapOfferInput>;

/** Input to take an offered shift. */
export const SwapTakeInput = Type.Object(
  { userId: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'Who takes it (admins only for someone else); default: you' })) },
  { additionalProperties: false },
);
/** SwapTakeInput as a TypeScript type. */
export type SwapTakeInput = Static<typeof SwapTakeInput>;

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

/** Input to record leave. */
export const LeaveInput = Type.Object(
  {
    start: InstantInput,
    end: InstantInput,
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
/** LeaveInput as a TypeScript type. */
export type LeaveInput = Static<typeof LeaveInput>;

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
