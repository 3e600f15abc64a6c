import type { Tx } from '../context.js';
import { newId } from '../lib/ids.js';
import { insertOutbox } from './store.js';
import type { Channel, Message } from './types.js';

/** What to send, to whom, through which channel. */
export interface Enqueue {
  /** The outbox id, when the caller needs it before the row exists (a bundle's links name it); default a new id. */
  id?: string;
  channel: Channel;
  destination: string;
  message: Message;
  userId?: string | null;
  contactMethodId?: string | null;
  incidentId?: string | null;
  /** The outbox row's kind when it is not the message's own: `announce` for a post to a chat channel (not a page to a person, so reports do not count it). */
  kind?: 'announce';
  /**
   * Someone is waiting for this now: the first page of a new incident (its first escalation level,
   * first time through), a direct page, a verification code, a password-reset link. Delivery takes these
   * before everything else due (priority 0), so they are never queued behind a storm's re-pages.
   */
  first?: boolean;
}

/** Writes a message to the outbox inside the caller's transaction; the sender picks it up after commit. */
export async function enqueueMessage(trx: Tx, now: number, m: Enqueue): Promise<string> {
  const id = m.id ?? newId();
  await insertOutbox(trx, {
    id,
    kind: m.kind ?? m.message.kind,
    channel: m.channel,
    destination: m.destination,
    user_id: m.userId ?? null,
    contact_method_id: m.contactMethodId ?? null,
    incident_id: m.incidentId ?? null,
    content: JSON.stringify(m.message),
    status: 'queued',
    attempts: 0,
    next_attempt_at: now,
    lease_owner: null,
    lease_until: null,
    provider_message_id: null,
    provider_status: null,
    last_error: null,
    created_at: now,
    sent_at: null,
    priority: m.first ? 0 : 1,
  });
  return id;
}
