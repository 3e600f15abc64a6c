/**
 * Inbound callbacks of the push and chat channels: Pushover's acknowledgement callback (and, further
 * down, Telegram's webhook). Each request is checked before anything changes; a forged one gets 403
 * and changes nothing.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as incidents from '../../incident/service.js';
import { truncate } from '../../notify/render/common.js';
import { pushoverCallbackToken } from '../../notify/providers/pushover/index.js';
import { outboxForCallback, recordProviderCallback } from '../../notify/store.js';
import { actorForUser, linkTelegramChat } from '../../user/service.js';
import { pageKeyboard, parseCallbackData, parseStartCommand } from '../../notify/providers/telegram/index.js';
import type { App, HttpDeps } from '../deps.js';
import { ackAll, bundleOf } from './inbound.js';

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
      const actor = await actorForUser(ctx, row.user_id, { via: 'pushover', address: row.destination });
      // A bundle's acknowledgement acknowledges every incident in it (docs/paging.md, "Storms").
      const bundle = actor ? bundleOf(row.content) : null;
      if (actor && bundle) await ackAll(ctx, bundle, actor, 'pushover');
      else if (actor) {
        const inc = await incidents.findIncident(ctx.db.kysely, row.incident_id);
        if (inc?.status === 'triggered') await incidents.acknowledge(ctx, actor, row.incident_id, 'pushover');
      }
    }
    return reply.status(204).send();
  });

  // Telegram: the bot's webhook (setWebhook with secret_token = KLAXON_TELEGRAM_WEBHOOK_SECRET).
  // `/start CODE` links the chat to the person whose code it is; a button press acknowledges or
  // resolves. Every request must carry the secret in X-Telegram-Bot-Api-Secret-Token, else 403.
  app.post('/integrations/v1/telegram/webhook', { schema: { hide: true } }, async (req, reply) => {
    const tg = deps.telegram;
    if (!tg) return reply.status(404).send({ error: { code: 'not_found', message: 'Telegram is not configured on this server' } });
    const header = req.headers['x-telegram-bot-api-secret-token'];
    if (typeof header !== 'string' || !sameSecret(header, tg.webhookSecret)) {
      return reply.status(403).send({ error: { code: 'forbidden', message: 'bad or missing X-Telegram-Bot-Api-Secret-Token' } });
    }
    const update = req.body as {
      message?: { chat?: { id?: unknown }; text?: unknown };
      callback_query?: { id?: unknown; data?: unknown; message?: { message_id?: unknown; chat?: { id?: unknown }; text?: unknown } };
    } | null;
    if (typeof update !== 'object' || update === null || Array.isArray(update)) return reply.status(400).send({ error: { code: 'invalid_request', message: 'expected a Telegram Update object' } });
    // Bot API answers are best effort: Telegram gets 200 for an update Klaxon has handled, whatever the bot could say back.
    const say = async (method: string, body: Record<string, unknown>) => {
      try {
        await tg.call(method, body);
      } catch (err) {
        ctx.log.warn({ err, method }, 'telegram: a Bot API call failed');
      }
    };

    const msg = update.message;
    if (msg && (typeof msg.chat?.id === 'number' || typeof msg.chat?.id === 'string')) {
      const chatId = String(msg.chat.id);
      const code = parseStartCommand(msg.text);
      if (code) {
        const linked = await linkTelegramChat(ctx, code, chatId);
        await say('sendMessage', {
          chat_id: chatId,
          text: linked
            ? `Linked: Klaxon pages for ${linked.user.name} now come to this chat (contact method "${linked.contactMethod.name}"). Add it to your notification rules in Klaxon.`
            : 'This code is not valid or has expired. Get a new one in Klaxon: Profile → Contact methods → Link Telegram.',
        });
      } else if (typeof msg.text === 'string' && msg.text.startsWith('/start')) {
        await say('sendMessage', { chat_id: chatId, text: 'To link this chat, get a code in Klaxon (Profile → Contact methods → Link Telegram) and send /start CODE.' });
      }
      return reply.send({});
    }

    const cq = update.callback_query;
    if (cq && typeof cq.id === 'string') {
      const answer = (text: string) => say('answerCallbackQuery', { callback_query_id: cq.id, text });
      const data = parseCallbackData(cq.data);
      const chatId = cq.message?.chat?.id;
      const row = data ? await outboxForCallback(ctx.db.kysely, data.messageId) : undefined;
      // The button must be on the page Klaxon sent to this very chat.
      if (!data || !row || row.channel !== 'telegram' || row.kind !== 'page' || !row.incident_id || !row.user_id || String(chatId) !== row.destination) {
        await answer('This button is not valid here. Nothing was changed.');
        return reply.send({});
      }
      const actor = await actorForUser(ctx, row.user_id, { via: 'telegram', address: row.destination });
      if (!actor) {
        await answer('Your Klaxon user no longer exists.');
        return reply.send({});
      }
      // A bundle's "Acknowledge all" acknowledges every incident in it (docs/paging.md, "Storms").
      const bundle = bundleOf(row.content);
      if (bundle && data.action === 'ack') {
        const done = await ackAll(ctx, bundle, actor, 'telegram');
        await answer(truncate(done, 200));
        if (typeof cq.message?.message_id === 'number') {
          const base = typeof cq.message.text === 'string' ? cq.message.text.replace(/\n\n(Acknowledged|Resolved) by .*$/s, '') : '';
          const open = `${ctx.publicUrl}/incidents`;
          await say('editMessageText', {
            chat_id: chatId,
            message_id: cq.message.message_id,
            text: truncate(`${base}\n\nAcknowledged by ${actor.name}`, 4096),
            reply_markup: { inline_keyboard: [[{ text: 'Open incidents', url: open }]] },
          });
        }
        return reply.send({});
      }
      let text: string;
      let status: string | null = null;
      try {
        const r = await (data.action === 'ack' ? incidents.acknowledge : incidents.resolve)(ctx, actor, row.incident_id, 'telegram');
        status = r.incident.status;
        const word = data.action === 'ack' ? 'acknowledged' : 'resolved';
        text = r.changed ? `Incident #${r.incident.number} ${word}.` : `Incident #${r.incident.number} is already ${r.incident.status}.`;
      } catch (e) {
        text = e instanceof Error ? e.message : 'Could not change the incident.';
      }
      await answer(text);
      if (status && typeof cq.message?.message_id === 'number') {
        const inc = await incidents.findIncident(ctx.db.kysely, row.incident_id);
        const who = status === 'resolved' ? `Resolved by ${actor.name}` : `Acknowledged by ${actor.name}`;
        const base = typeof cq.message.text === 'string' ? cq.message.text.replace(/\n\n(Acknowledged|Resolved) by .*$/s, '') : `#${inc?.number ?? ''}`;
        await say('editMessageText', {
          chat_id: chatId,
          message_id: cq.message.message_id,
          text: `${base}\n\n${who}`,
          reply_markup: { inline_keyboard: pageKeyboard(status, data.messageId, inc ? `${ctx.publicUrl}/incidents/${inc.number}` : null) },
        });
      }
      return reply.send({});
    }
    return reply.send({});
  });
}
