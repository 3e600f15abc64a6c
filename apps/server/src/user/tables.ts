import type { Generated } from 'kysely';
/** People. */
export interface UserTable {
  id: string;
  email: string;
  name: string;
  time_zone: string;
  role: string;
  password_hash: string | null;
  created_at: number;
  updated_at: number;
  /** Set when SCIM deactivated this person (migration 0028): no sign-in, no tokens. */
  deactivated_at?: number | null;
  /** The identity provider's id for this person (SCIM externalId). */
  external_id?: string | null;
  /** Set when SCIM deleted this person (kept, deactivated, for the history; SCIM answers 404). */
  scim_deleted_at?: number | null;
}

/** The ways to reach a person; paged only once verified. */
export interface ContactMethodTable {
  id: string;
  user_id: string;
  name: string;
  type: string;
  address: string;
  verified_at: number | null;
  verify_code_hash: string | null;
  verify_expires_at: number | null;
  verify_attempts: number;
  disabled: number;
  created_at: number;
  /** Voice only: 1 = call once more when a page's call is not answered (busy / no answer). */
  repeat_unanswered: Generated<number>;
}

/** A one-time code linking a Telegram chat to a person (its SHA-256 only). */
export interface TelegramLinkCodeTable {
  code_hash: string;
  user_id: string;
  expires_at: number;
  created_at: number;
}

/** "Notify me on this contact method this many minutes after I am paged." */
export interface NotificationRuleTable {
  id: string;
  user_id: string;
  contact_method_id: string;
  delay_minutes: number;
  /** 'high' | 'low' | 'any': the incident urgencies this rule is used for ('any' by default). */
  urgency: Generated<string>;
}
