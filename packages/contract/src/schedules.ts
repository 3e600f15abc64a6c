import { Type, type Static } from '@sinclair/typebox';
import { EpochMs, Literals, Nullable } from './common.js';
import { WEEKDAYS } from './lists.js';

/**
 * An instant as the API accepts it: epoch milliseconds, an ISO date-time with an offset
 * ("2026-03-02T09:00:00Z", "2026-03-02T10:00+01:00"), or a local date-time without one
 * ("2026-03-02T09:00", "2026-03-02"), read in the schedule's (or layer's) time zone.
 */
export const InstantInput = Type.Union([Type.Integer(), Type.String({ minLength: 4, maxLength: 40 })], {
  description: 'Epoch milliseconds, ISO date-time with offset, or local date-time (read in the schedule time zone)',
});
export type InstantInput = Static<typeof InstantInput>;

export const WeekdaySchema = Literals(WEEKDAYS);
const Time = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$', description: 'HH:MM local time' });
export const RESTRICTION_PRESETS = ['business-hours', 'weekdays', 'nights', 'weekends'] as const;
export type RestrictionPreset = (typeof RESTRICTION_PRESETS)[number];

/** A weekly window a layer is limited to (see docs/schedules.md, Restrictions). */
export const RestrictionInput = Type.Union([
  Type.Object({ kind: Type.Literal('weekly'), startDay: WeekdaySchema, startTime: Time, endDay: WeekdaySchema, endTime: Time }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('daily'), days: Type.Array(WeekdaySchema, { minItems: 1, maxItems: 7 }), start: Time, end: Time }, { additionalProperties: false }),
  Type.Object({ kind: Type.Literal('preset'), preset: Literals(RESTRICTION_PRESETS) }, { additionalProperties: false }),
]);
export type Restriction = Static<typeof RestrictionInput>;

const UserRef = Type.String({ minLength: 1, maxLength: 254, description: 'User id or email' });
const TurnUnit = Type.Union([Type.Literal('second'), Type.Literal('minute'), Type.Literal('hour'), Type.Literal('day'), Type.Literal('week')]);

/** How long one turn lasts. */
export const TurnLengthSchema = Type.Object(
  {
    unit: TurnUnit,
    count: Type.Integer({ minimum: 1, maximum: 31_622_400, description: 'How many units one turn lasts (at most 366 days)' }),
    weekdays: Type.Optional(Type.Array(WeekdaySchema, { minItems: 1, maxItems: 7, description: 'Day turns only: only these weekdays count and hand off (default: every day)' })),
    onCallMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 100_800_000, description: 'Only the first N minutes of each turn are on call (default: the whole turn)' })),
  },
  { additionalProperties: false },
);
export type TurnLength = Static<typeof TurnLengthSchema>;

/** One rotation layer as the API accepts it: users by id or email, instants in any InstantInput form. */
export const LayerInput = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 100 })),
    participants: Type.Array(Type.Union([UserRef, Type.Array(UserRef, { maxItems: 20 })]), {
      minItems: 1,
      maxItems: 100,
      description: 'Rotation order: a user, or a group of users on call together ([] is a turn nobody covers)',
    }),
    turn: TurnLengthSchema,
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
export type LayerInput = Static<typeof LayerInput>;

export const LayeringSchema = Type.Union([Type.Literal('precedence'), Type.Literal('union')], {
  description: 'precedence (default): the highest-precedence layer with someone on call wins; union: everyone on call in the highest-priority group of layers is on call together',
});
export type Layering = Static<typeof LayeringSchema>;

/** Input to create or replace a schedule. */
export const ScheduleInput = Type.Object(
  {
    name: Type.String({ minLength: 1, maxLength: 200 }),
    description: Type.Optional(Type.String({ maxLength: 2000 })),
    teamId: Type.Optional(Type.Union([Type.String({ minLength: 1, maxLength: 200, description: 'Owner team id or name' }), Type.Null()])),
    timeZone: Type.String({ minLength: 1, maxLength: 64, description: 'IANA time zone, e.g. Europe/Berlin' }),
    layering: Type.Optional(LayeringSchema),
    layers: Type.Array(LayerInput, { maxItems: 20 }),
    handoffNoticeMinutes: Type.Optional(Type.Integer({ minimum: 0, maximum: 10_080, description: 'Tell people this many minutes before their shift starts (0: only at the change). Default 60.' })),
    gapNoticeDays: Type.Optional(Type.Integer({ minimum: 0, maximum: 90, description: 'Tell the owner team about gaps this many days ahead (0: never). Default 14.' })),
  },
  { additionalProperties: false },
);
export type ScheduleInput = Static<typeof ScheduleInput>;

/** A rotation layer as stored: user ids (or groups of them), instants in epoch ms. */
export const Layer = Type.Object({
  name: Type.Optional(Type.String()),
  participants: Type.Array(Type.Union([Type.String(), Type.Array(Type.String())])),
  turn: TurnLengthSchema,
  handoffTime: Type.Optional(Type.String()),
  timeZone: Type.Optional(Type.String()),
  start: EpochMs,
  rotationStart: Type.Optional(EpochMs),
  end: Type.Optional(EpochMs),
  restrictions: Type.Optional(Type.Array(RestrictionInput)),
  priority: Type.Optional(Type.Integer()),
});
export type Layer = Static<typeof Layer>;

/** A schedule: its zone, layers (user ids, epoch-ms instants) and notice settings. */
export const Schedule = Type.Object({
  id: Type.String(),
  name: Type.String(),
  description: Type.String(),
  teamId: Nullable(Type.String()),
  timeZone: Type.String(),
  layering: LayeringSchema,
  layers: Type.Array(Layer),
  handoffNoticeMinutes: Type.Integer(),
  gapNoticeDays: Type.Integer(),
  createdAt: EpochMs,
  updatedAt: EpochMs,
});
export type Schedule = Static<typeof Schedule>;

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
export type OverrideInput = Static<typeof OverrideInput>;

/** An override: exactly `userIds` are on call for [start, end). */
export const ScheduleOverride = Type.Object({
  id: Type.String(),
  scheduleId: Type.String(),
  userIds: Type.Array(Type.String()),
  start: EpochMs,
  end: EpochMs,
  kind: Type.Union([Type.Literal('manual'), Type.Literal('take'), Type.Literal('swap')]),
  note: Type.String(),
  swapId: Nullable(Type.String()),
  createdBy: Nullable(Type.String()),
  createdAt: EpochMs,
});
export type ScheduleOverride = Static<typeof ScheduleOverride>;

/** Input for "take on-call now for N hours". */
export const TakeInput = Type.Object(
  {
    hours: Type.Number({ exclusiveMinimum: 0, maximum: 168, description: 'How long, from now' }),
    userId: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'Who takes it (admins only for someone else); default: you' })),
    note: Type.Optional(Type.String({ maxLength: 500 })),
  },
  { additionalProperties: false },
);
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
export type SwapOfferInput = Static<typeof SwapOfferInput>;

/** Input to take an offered shift. */
export const SwapTakeInput = Type.Object(
  { userId: Type.Optional(Type.String({ minLength: 1, maxLength: 254, description: 'Who takes it (admins only for someone else); default: you' })) },
  { additionalProperties: false },
);
export type SwapTakeInput = Static<typeof SwapTakeInput>;

/** A swap request: a span of `offeredBy`'s shifts, open until a teammate takes it. */
export const SwapRequest = Type.Object({
  id: Type.String(),
  scheduleId: Type.String(),
  offeredBy: Type.String(),
  start: EpochMs,
  end: EpochMs,
  note: Type.String(),
  status: Type.Union([Type.Literal('open'), Type.Literal('taken'), Type.Literal('cancelled')]),
  takenBy: Nullable(Type.String()),
  takenAt: Nullable(EpochMs),
  createdAt: EpochMs,
});
export type SwapRequest = Static<typeof SwapRequest>;

/** Input to record leave. */
export const LeaveInput = Type.Object({ start: InstantInput, end: InstantInput, note: Type.Optional(Type.String({ maxLength: 500 })) }, { additionalProperties: false });
export type LeaveInput = Static<typeof LeaveInput>;

/** A span a user is away; rotations skip them by the rule in docs/schedules.md. */
export const UserLeave = Type.Object({ id: Type.String(), userId: Type.String(), start: EpochMs, end: EpochMs, note: Type.String(), createdAt: EpochMs });
export type UserLeave = Static<typeof UserLeave>;

/** A person as schedule answers name them. */
export const ScheduleUser = Type.Object({ id: Type.String(), name: Type.String(), email: Type.String(), timeZone: Type.String() });
export type ScheduleUser = Static<typeof ScheduleUser>;

/** Where a shift comes from. layerIndexes: under union layering, every layer whose people are in the shift. */
export const ShiftSource = Type.Union([
  Type.Object({ kind: Type.Literal('layer'), layerIndex: Type.Integer(), layerName: Type.Optional(Type.String()), layerIndexes: Type.Optional(Type.Array(Type.Integer())) }),
  Type.Object({ kind: Type.Literal('override'), overrideId: Type.String() }),
]);
export type ShiftSource = Static<typeof ShiftSource>;

export const TimeRange = Type.Object({ start: EpochMs, end: EpochMs });
export type TimeRange = Static<typeof TimeRange>;

/** Who is on call for a schedule at one instant, where from, and until when. */
export const OnCallAnswer = Type.Object({
  scheduleId: Type.String(),
  scheduleName: Type.String(),
  at: EpochMs,
  users: Type.Array(ScheduleUser, { description: 'Empty in a gap' }),
  source: Nullable(ShiftSource),
  until: Nullable(EpochMs),
  next: Type.Array(ScheduleUser),
});
export type OnCallAnswer = Static<typeof OnCallAnswer>;

/** A shift of the final schedule, with people by id (see `users` beside it). */
export const FinalShift = Type.Object({ start: EpochMs, end: EpochMs, userIds: Type.Array(Type.String()), source: ShiftSource });
export type FinalShift = Static<typeof FinalShift>;

const ScheduleRef = Type.Object({ id: Type.String(), name: Type.String(), timeZone: Type.String() });

/** The final schedule for a range: shifts, gaps and the people they name. */
export const FinalSchedule = Type.Object({
  schedule: ScheduleRef,
  from: EpochMs,
  to: EpochMs,
  shifts: Type.Array(FinalShift),
  gaps: Type.Array(TimeRange),
  users: Type.Record(Type.String(), ScheduleUser),
});
export type FinalSchedule = Static<typeof FinalSchedule>;

export const GapsAnswer = Type.Object({ schedule: ScheduleRef, from: EpochMs, to: EpochMs, gaps: Type.Array(TimeRange) });

/** One of a user's shifts, on some schedule. */
export const UserShift = Type.Object({ scheduleId: Type.String(), scheduleName: Type.String(), start: EpochMs, end: EpochMs, userIds: Type.Array(Type.String()), source: ShiftSource });
export type UserShift = Static<typeof UserShift>;
export const UserShiftsAnswer = Type.Object({ user: ScheduleUser, from: EpochMs, to: EpochMs, shifts: Type.Array(UserShift) });

/** Hours on call split by part of the week, in the person's zone. */
export const LoadSplit = Type.Object({ business: Type.Number(), evening: Type.Number(), night: Type.Number(), weekend: Type.Number(), total: Type.Number() });
export const LoadRow = Type.Object({ user: ScheduleUser, hours: LoadSplit });
export const OnCallLoadAnswer = Type.Object({ from: EpochMs, to: EpochMs, schedules: Type.Array(Type.String()), load: Type.Array(LoadRow) });

const Instant = Type.String({ maxLength: 40, description: 'Epoch ms, ISO date-time with offset, or local date-time (read in the schedule zone)' });
export const RangeQuery = Type.Object({ from: Type.Optional(Instant), to: Type.Optional(Instant) }, { additionalProperties: false });
export const AtQuery = Type.Object({ at: Type.Optional(Instant) }, { additionalProperties: false });
export const GapsQuery = Type.Object({ days: Type.Optional(Type.Integer({ minimum: 1, maximum: 366 })) }, { additionalProperties: false });
export const SwapStatusQuery = Type.Object(
  { status: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('taken'), Type.Literal('cancelled'), Type.Literal('all')])) },
  { additionalProperties: false },
);
export const LeaveQuery = Type.Object({ all: Type.Optional(Type.Boolean()) }, { additionalProperties: false });
export const OnCallLoadQuery = Type.Object(
  { from: Type.Optional(Instant), to: Type.Optional(Instant), schedule: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })) },
  { additionalProperties: false },
);
export const IcalFileParams = Type.Object({ file: Type.String({ minLength: 5, maxLength: 200 }) });

export const ScheduleAnswer = Type.Object({ schedule: Schedule });
export const SchedulesAnswer = Type.Object({ schedules: Type.Array(Schedule) });
export const OnCallOneAnswer = Type.Object({ oncall: OnCallAnswer });
export const OnCallAllAnswer = Type.Object({ oncall: Type.Array(OnCallAnswer) });
export const OverrideAnswer = Type.Object({ override: ScheduleOverride });
export const OverridesAnswer = Type.Object({ overrides: Type.Array(ScheduleOverride) });
export const SwapAnswer = Type.Object({ swap: SwapRequest });
export const SwapsAnswer = Type.Object({ swaps: Type.Array(SwapRequest) });
export const SwapTakenAnswer = Type.Object({ swap: SwapRequest, overrides: Type.Array(ScheduleOverride) });
export const LeaveAnswer = Type.Object({ leave: UserLeave });
export const LeaveListAnswer = Type.Object({ leave: Type.Array(UserLeave) });
export const IcalUrlAnswer = Type.Object({ url: Type.String({ description: 'The secret feed URL, shown once' }) });
export const CalendarText = { content: { 'text/calendar': { schema: Type.String({ description: 'iCalendar (RFC 5545)' }) } } };
