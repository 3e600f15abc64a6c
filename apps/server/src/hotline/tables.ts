/** A hotline: a phone number that opens an incident on its service and rings its on-call people. */
export interface HotlineTable {
  id: string;
  service_id: string;
  name: string;
  /** 'twilio'. */
  provider: string;
  /** E.164. */
  number: string;
  ring_seconds: number;
  /** JSON array of E.164 numbers; empty: anyone. */
  allowed_callers: string;
  /** 1 or 0. */
  enabled: number;
  created_at: number;
  updated_at: number;
}

/** One call to a hotline. */
export interface HotlineCallTable {
  id: string;
  hotline_id: string;
  provider: string;
  /** The provider's call id (Twilio's CallSid): one row, so one incident, per call. */
  call_sid: string;
  /** The caller's number as the provider gave it. */
  from_number: string;
  /** 'ringing' (trying people), 'answered', 'unanswered' (nobody left), 'ended' (the caller hung up first), 'refused'. */
  status: string;
  incident_id: string | null;
  /** JSON array of {userId, name, number}: the people to ring, in order. */
  candidates: string;
  /** Index into candidates of the person being rung (or last rung). */
  attempt: number;
  /** The user who answered. */
  answered_by: string | null;
  created_at: number;
  updated_at: number;
}
