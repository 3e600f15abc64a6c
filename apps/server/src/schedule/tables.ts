import type { Generated } from 'kysely';

/** On-call schedules; layers are JSON (compute LayerSpec[]) because a schedule is read and written whole. */
export interface ScheduleTable {
  id: string;
  name: string;
  description: string;
  team_id: string | null;
  time_zone: string;
  /** 'precedence' or 'union' (compute Layering). */
  layering: Generated<string>;
  layers: string;
  handoff_notice_minutes: number;
  gap_notice_days: number;
  handoff_check_at: number;
  gap_check_at: number;
  created_at: number;
  updated_at: number;
}

/** Overrides: exactly `user_ids` (JSON) are on call for [start_at, end_at). */
export interface ScheduleOverrideTable {
  id: string;
  schedule_id: string;
  user_ids: string;
  start_at: number;
  end_at: number;
  kind: string;
  note: string;
  swap_id: string | null;
  created_by: string | null;
  created_at: number;
}

/** A user's unavailability for rotations (holidays, PTO), across every schedule. */
export interface UserLeaveTable {
  id: string;
  user_id: string;
  start_at: number;
  end_at: number;
  note: string;
  created_by: string | null;
  created_at: number;
}

/** A shift span offered by one responder for a teammate to take. */
export interface ScheduleSwapTable {
  id: string;
  schedule_id: string;
  offered_by: string;
  start_at: number;
  end_at: number;
  note: string;
  status: string;
  taken_by: string | null;
  taken_at: number | null;
  created_at: number;
}

/** iCal feed secrets, stored hashed; one per user or schedule. */
export interface IcalFeedTable {
  id: string;
  kind: string;
  subject_id: string;
  secret_hash: string;
  created_at: number;
}

/** Hand-off notices already sent, one per (user, schedule, shift start, kind). */
export interface ScheduleHandoffNoticeTable {
  user_id: string;
  schedule_id: string;
  shift_start: number;
  kind: string;
  sent_at: number;
}

/** Gap notices already sent, one per (schedule, gap start). */
export interface ScheduleGapNoticeTable {
  schedule_id: string;
  gap_start: number;
  gap_end: number;
  recipients: number;
  sent_at: number;
}
