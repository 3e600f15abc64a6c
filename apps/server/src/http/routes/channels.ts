/**
 * Inbound callbacks of the push and chat channels: Pushover's acknowledgement callback (and, further
 * down, Telegram's webhook). Each request is checked before anything changes; a forged one gets 403
 * and changes nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as incidents from '../../incident/service.js';
import { pushoverCallbackToken } from '../../notify/providers/pushover/index.js';
import { outboxForCallback, recordProviderCallback } from '../../notify/store.js';
import { actorForUser } from '../../user/service.js';
import type { App, HttpDeps } from '../deps.js';

function sameSecret(a: string, b: string): boolean {
  // Compare digests: equal lengths, and no early exit on the first differing byte.
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}

/** Pushover and Telegram callbacks. */
export async function channelRoutes(app: App, deps: HttpDeps): Promise<void> {
  const { ctx } = deps;

  // Pushover: POSTed (form-encoded) when the person acknowledges an emergency page:
  // receipt, acknowledged=1, acknowledged_at, acknowledged_by (user key), acknowledged_by_device.
  app.post('/integrations/v1/pushover/callback', { schema: { hide: true } }, async (req, reply) => {
    const q = (req.query ?? {}) as Record<string, unknown>;
    const body = (req.body ?? {}) as Record<string, unknown>;
    if (typeof q.message !== 'string' || typeof q.token !== 'string' || typeof body !== 'object' || Array.isArray(body) || typeof body.receipt !== 'string') {
      return reply.status(400).send({ error: { code: 'invalid_request', message: 'expected ?message=&token= and a form body with receipt (Pushover callback)' } });
    }
    const row = await outboxForCallback(ctx.db.kysely, q.message);
    // The token is per message and unguessable; the receipt must be the one Pushover gave for it.
    if (
      !row ||
      row.channel !== 'pushover' ||
      !sameSecret(q.token, pushoverCallbackToken(ctx.linkSecret, q.message)) ||
      !row.provider_message_id ||
      !sameSecret(body.receipt, row.provider_message_id)
    ) {
      return reply.status(403).send({ error: { code: 'forbidden', message: 'not a callback Klaxon asked Pushover for' } });
    }
    if (body.acknowledged !== '1') return reply.status(204).send();
    await ctx.db.kysely
      .transaction()
      .execute((trx) => recordProviderCallback(trx, q.message as string, ctx.clock.now(), { status: 'acknowledged', providerMessageId: row.provider_message_id, error: null }));
    if (row.kind === 'page' && row.incident_id && row.user_id) {
      const actor = await actorForUser(ctx, row.user_id);
      if (actor) {
        const inc = await incidents.findIncident(ctx.db.kysely, row.incident_id);
        if (inc?.status === 'triggered') await incidents.acknowledge(ctx, actor, row.incident_id, 'pushover');
      }
    }
    return reply.status(204).send();
  });
}
