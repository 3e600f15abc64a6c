/** A day of the week, lower-case three-letter English abbreviation. */
export type Weekday = 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat' | 'sun';

/** The days of the week in ISO order (Monday first); the index is the ISO weekday minus one. */
export const WEEKDAYS: readonly Weekday[] = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** A half-open span of time [start, end) in epoch milliseconds (UTC). */
export interface TimeRange {
  start: number;
  end: number;
}

/** One rotation slot: a single user id, or a group of user ids on call together; an empty group is a turn nobody covers. */
export type Participant = string | readonly string[];

/** How long one turn lasts. Hours, minutes and seconds are absolute; days and weeks are local calendar days. */
export interface TurnLength {
  unit: 'second' | 'minute' | 'hour' | 'day' | 'week';
  count: number;
  /**
   * Day turns only: the weekdays that count. Hand-offs happen only on these days and the days between
   * are part of the turn before (a rotation "on weekdays": Friday's turn runs to Monday's hand-off).
   * Absent: every day counts.
   */
  weekdays?: readonly Weekday[];
  /**
   * Only the first this-many minutes of each turn are on call (wall-clock minutes from the turn's
   * start for day and week turns, absolute for hour and minute turns); the rest of the turn has
   * nobody from this layer. Absent: the whole turn.
   */
  onCallMinutes?: number;
}

/** Named weekly windows; see docs/schedules.md for their exact hours. */
export type RestrictionPreset = 'business-hours' | 'weekdays' | 'nights' | 'weekends';

/** A weekly window limiting when a layer is on call, read at local wall-clock time in the layer's zone. */
export type Restriction =
  /** One window a week, e.g. fri 18:00 to mon 09:00; it wraps past Sunday when the end is before the start. */
  | { kind: 'weekly'; startDay: Weekday; startTime: string; endDay: Weekday; endTime: string }
  /** One window on each listed day; an end at or before the start ends on the next day (crosses midnight). */
  | { kind: 'daily'; days: readonly Weekday[]; start: string; end: string }
  /** A named set of windows. */
  | { kind: 'preset'; preset: RestrictionPreset };

/** One rotation layer of a schedule. */
export interface LayerSpec {
  /** Shown in shift sources. */
  name?: string;
  /** The rotation order; participant 0 takes the first turn. */
  participants: readonly Participant[];
  /** The length of one turn. */
  turn: TurnLength;
  /** "HH:MM" local hand-off time for day and week turns; defaults to the local time of `start`. Ignored for hour and minute turns. */
  handoffTime?: string;
  /** IANA zone of hand-offs and restrictions; defaults to the schedule's zone. */
  timeZone?: string;
  /** Instant the layer starts covering; participant 0's first turn begins here unless `rotationStart` is given. */
  start: number;
  /**
   * Instant the rotation is counted from (participant 0's first turn), at or before `start`: turns and
   * hand-offs are computed from it and the layer covers nothing before `start` (PagerDuty's
   * rotation_virtual_start). Defaults to `start`.
   */
  rotationStart?: number;
  /** Instant the layer stops covering (exclusive); open-ended when absent. */
  end?: number;
  /** Weekly windows the layer is limited to; none means always. */
  restrictions?: readonly Restriction[];
  /** Explicit precedence; higher wins, ties go to the later layer in the list. Defaults to 0. */
  priority?: number;
}

/** Replaces whoever the layers put on call during [start, end) with `userIds`. */
export interface Override {
  id: string;
  userIds: readonly string[];
  start: number;
  end: number;
}

/** A span during which a user is unavailable for rotations (not for overrides). */
export interface Leave {
  userId: string;
  start: number;
  end: number;
  /** Optional reference for callers; not used in computation. */
  id?: string;
}

/**
 * How layers combine. `precedence` (the default): at each instant the highest-precedence layer with
 * someone on call wins. `union`: everyone on call in the highest-priority group of layers (layers of
 * equal priority) that has anyone on call is on call together (Opsgenie's rotations add up).
 */
export type Layering = 'precedence' | 'union';

/** A whole schedule: a zone, rotation layers, overrides and leave. */
export interface ScheduleSpec {
  timeZone: string;
  /** How layers combine; precedence when absent. */
  layering?: Layering;
  layers: readonly LayerSpec[];
  overrides?: readonly Override[];
  leave?: readonly Leave[];
}

/** Where a shift comes from. */
export type ShiftSource =
  /** layerIndexes: under union layering, every layer whose people are in the shift (layerIndex is the first). */
  { kind: 'layer'; layerIndex: number; layerName?: string; layerIndexes?: number[] } | { kind: 'override'; overrideId: string };

/** A span [start, end) during which `userIds` are on call. */
export interface Shift {
  start: number;
  end: number;
  userIds: string[];
  source: ShiftSource;
}

/** Who is on call at one instant. */
export interface OnCall {
  userIds: string[];
  source: ShiftSource;
}

/** A change of the on-call set at `at`; `previous`/`next` are null across a gap. */
export interface Handoff {
  at: number;
  previous: OnCall | null;
  next: OnCall | null;
}

/** Hours on call by kind of time, in the user's own zone; the four kinds add up to `total`. */
export interface LoadSplit {
  /** Monday to Friday, 09:00 to 18:00. */
  business: number;
  /** Monday to Friday, 18:00 to 22:00. */
  evening: number;
  /** Monday to Friday, 00:00 to 09:00 and 22:00 to 24:00. */
  night: number;
  /** Saturday 00:00 to Monday 00:00. */
  weekend: number;
  /** All hours on call (overlapping shifts counted once). */
  total: number;
}
