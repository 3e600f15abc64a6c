/**
 * Inbound webhooks of the SMS and voice providers other than Twilio (Twilio's are in inbound.ts):
 * SMS replies, key presses during a voice page, and delivery status. Each request is checked with its
 * provider's documented signature scheme before anything is read: forged or stale -> 403, and nothing
 * changes. Replies and key presses act like Twilio's (inbound.ts: smsReply, voiceKeyPress); a status
 * saying the SMS or call failed sends the message again through the next provider (providerStatus).
 */
import type { FastifyReply, FastifyRequest } from 'fastify';
import { inTransaction } from '../../context.js';
import { enqueueMessage } from '../../notify/outbox.js';
import { checkVonageWebhook } from '../../notify/providers/vonage/signature.js';
import { nccoSay, renderNcco } from '../../notify/providers/vonage/index.js';
import type { App, HttpDeps } from '../deps.js';
import { providerStatus, smsReply, voiceKeyPress } from './inbound.js';

type Json = Record<string, unknown>;

const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);

/** `+` and the digits: Vonage, Plivo and Telnyx may give numbers without the `+`. */
function e164(n: string): string {
  return n.startsWith('+') ? n : `+${n}`;
}

export async function smsProviderRoutes(app: App, deps: HttpDeps): Promise<void> {
  const { ctx } = deps;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 256 * 1024 }, (req, body, done) => {
    req.rawBody = body as string;
    try {
      done(null, JSON.parse(body as string) as unknown);
    } catch {
      done(null, undefined);
    }
  });

  /** Answers 403 (bad signature) or 400 (not a JSON object) and returns null, or returns the body. */
  const vonage = async (req: FastifyRequest, reply: FastifyReply): Promise<Json | null> => {
    const why = await checkVonageWebhook(deps.vonageSignatureSecret ?? '', req.headers.authorization, req.rawBody ?? '', ctx.clock.now());
    if (why) {
      void reply.status(403).type('text/plain').send(`Forbidden: bad or stale Vonage signature (${why})`);
      return null;
    }
    const body = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) {
      void reply.status(400).type('text/plain').send('Bad request: the body must be a JSON object');
      return null;
    }
    return body as Json;
  };
  const bad = (reply: FastifyReply, what: string) => reply.status(400).type('text/plain').send(`Bad request: ${what}`);
  const messageId = (req: FastifyRequest) => {
    const m = (req.query as { message?: unknown }).message;
    return typeof m === 'string' ? m : '';
  };

  /** Texts `text` back to `to` (an answer to an SMS reply) through the outbox. */
  const textBack = async (to: string, text: string) => {
    await inTransaction(ctx, (trx) => enqueueMessage(trx, ctx.clock.now(), { channel: 'sms', destination: to, message: { kind: 'reply', text } }));
    ctx.wake();
  };

  // Vonage Messages API: an inbound SMS (the application's Inbound URL).
  app.post('/integrations/v1/vonage/inbound', { schema: { hide: true } }, async (req, reply) => {
    const b = await vonage(req, reply);
    if (!b) return reply;
    const from = str(b.from);
    if (!from || !/^\+?\d{4,15}$/.test(from)) return bad(reply, 'from must be a phone number');
    if (b.channel !== undefined && b.channel !== 'sms') return reply.status(200).send({ ok: true, ignored: 'not an SMS' });
    const text = str(b.text);
    if (text === null) return bad(reply, 'text must be a string');
    await textBack(e164(from), await smsReply(ctx, e164(from), text));
    return reply.status(200).send({ ok: true });
  });

  // Vonage Messages API: a message status (the application's Status URL); client_ref is the outbox id.
  app.post('/integrations/v1/vonage/status', { schema: { hide: true } }, async (req, reply) => {
    const b = await vonage(req, reply);
    if (!b) return reply;
    const status = str(b.status);
    if (!status) return bad(reply, 'status must be a string');
    const id = str(b.client_ref) ?? '';
    const err = (b.error ?? null) as { title?: unknown; detail?: unknown } | null;
    const error = err && typeof err === 'object' ? [err.title, err.detail].filter((x) => typeof x === 'string').join(': ') || null : null;
    await providerStatus(ctx, id, 'vonage', { status, providerMessageId: str(b.message_uuid), error, failed: ['rejected', 'undeliverable', 'failed'].includes(status) });
    return reply.status(204).send();
  });

  // Vonage Voice API: the key pressed during a page (the NCCO input action's eventUrl); answers an NCCO.
  app.post('/integrations/v1/vonage/voice/input', { schema: { hide: true } }, async (req, reply) => {
    const b = await vonage(req, reply);
    if (!b) return reply;
    const dtmf = b.dtmf as { digits?: unknown } | undefined;
    const digits = dtmf && typeof dtmf === 'object' ? (str(dtmf.digits) ?? '') : '';
    const id = messageId(req);
    const r = await voiceKeyPress(ctx, id, digits);
    if ('repeat' in r) return reply.status(200).send(renderNcco(r.repeat, `${ctx.publicUrl}/integrations/v1/vonage/voice/input?message=${encodeURIComponent(id)}`));
    return reply.status(200).send(nccoSay(r.say));
  });

  // Vonage Voice API: call events (event_url). A call that `failed` or was `rejected` by the network fails over.
  app.post('/integrations/v1/vonage/voice/event', { schema: { hide: true } }, async (req, reply) => {
    const b = await vonage(req, reply);
    if (!b) return reply;
    const status = str(b.status);
    if (!status) return reply.status(204).send();
    await providerStatus(ctx, messageId(req), 'vonage', { status, providerMessageId: str(b.uuid), error: null, failed: status === 'failed' || status === 'rejected' });
    return reply.status(204).send();
  });
}
