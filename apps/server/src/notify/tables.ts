/** A person to notify for one escalation step through one contact method, due after the rule's delay. */
export interface NotificationTable {
  id: string;
  incident_id: string;
  user_id: string;
  contact_method_id: string;
  step: number;
  due_at: number;
  /** pending | queued (written to the outbox) | cancelled (incident acknowledged first) */
  status: string;
  created_at: number;
  /** The outbox message that carried it (several notifications share one when their pages were bundled). */
  outbox_id?: string | null;
  /** When the contact method's rate limit first held it back (its due_at then moves to when the limit has room); null if never. */
  held_at?: number | null;
}

/** The outbox: one row per outgoing message. */
export interface OutboxTable {
  id: string;
  kind: string;
  channel: string;
  destination: string;
  user_id: string | null;
  contact_method_id: string | null;
  incident_id: string | null;
  /** The Message as JSON; rendered per channel at send time. */
  content: string;
  /** queued | sending | sent | failed */
  status: string;
  attempts: number;
  next_attempt_at: number;
  lease_owner: string | null;
  lease_until: number | null;
  provider_message_id: string | null;
  provider_status: string | null;
  last_error: string | null;
  created_at: number;
  sent_at: number | null;
  /** SMS and voice: the provider that took the message (twilio, vonage...), when known. */
  provider?: string | null;
  /** SMS and voice: providers that reported the message failed (comma-separated); it is sent again through another one. */
  failed_providers?: string | null;
  /** 0: a person is waiting for it now (see {@link Enqueue.first}), claimed before 1: everything else. */
  priority?: number;
}

/** Each try at handing a message to its provider, with what the provider said. */
export interface DeliveryAttemptTable {
  id: string;
  message_id: string;
  at: number;
  status: string;
  provider_status: string | null;
  provider_message_id: string | null;
  error: string | null;
}
