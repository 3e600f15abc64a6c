import { sql, type Kysely } from 'kysely';

/**
 * Subscriptions made through the API used to be confirmed at once, whatever the destination. Now a
 * destination must confirm, except the user's own account email and the user's verified contact
 * methods. Subscriptions confirmed under the old rule to any other destination become unconfirmed
 * (nothing is sent to them until the user subscribes again and the destination confirms).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await sql`
    UPDATE status_subscriptions SET confirmed_at = NULL
    WHERE user_id IS NOT NULL AND confirmed_at IS NOT NULL
      AND NOT (channel = 'email' AND lower(destination) = (SELECT lower(users.email) FROM users WHERE users.id = status_subscriptions.user_id))
      AND NOT EXISTS (
        SELECT 1 FROM contact_methods cm
        WHERE cm.user_id = status_subscriptions.user_id AND cm.type = status_subscriptions.channel
          AND cm.address = status_subscriptions.destination AND cm.verified_at IS NOT NULL
      )`.execute(db);
}

/** Nothing to undo: who confirmed what is not known any more. */
export async function down(): Promise<void> {}
