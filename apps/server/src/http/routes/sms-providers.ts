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
import { plivoSay, renderPlivoXml } from '../../notify/providers/plivo/index.js';
import { NonceMemory, validatePlivoSignatureV3 } from '../../notify/providers/plivo/signature.js';
import { checkTelnyxWebhook, telnyxPublicKey } from '../../notify/providers/telnyx/signature.js';
import { voiceScript } from '../../notify/render/voice.js';
import { outboxContent } from '../../notify/store.js';
import type { Message } from '../../notify/types.js';
import type { App, HttpDeps } from '../deps.js';
import { providerStatus, smsReply, voiceKeyPress } from './inbound.js';
import { must } from '../../lib/must.js';

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

  // Plivo posts form-encoded parameters (and signs them, decoded).
  if (app.hasContentTypeParser('application/x-www-form-urlencoded')) app.removeContentTypeParser('application/x-www-form-urlencoded');
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 256 * 1024 }, (req, body, done) => {
    req.rawBody = body as string;
    const out: Record<string, string | string[]> = {};
    for (const [k, v] of new URLSearchParams(body as string)) {
      const had = out[k];
      out[k] = had === undefined ? v : Array.isArray(had) ? [...had, v] : [had, v];
    }
    done(null, out);
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

  // ---- Plivo: form-encoded webhooks signed with X-Plivo-Signature-V3 (+ nonce); a nonce is accepted once. ----
  const plivoNonces = new NonceMemory();
  const plivo = (req: FastifyRequest, reply: FastifyReply): Record<string, string> | null => {
    const body = (req.body ?? {}) as Record<string, unknown>;
    const params: Record<string, string> = {};
    let single = typeof body === 'object' && !Array.isArray(body) && (req.body === undefined || req.rawBody !== undefined);
    for (const [k, v] of Object.entries(body)) {
      if (typeof v === 'string') params[k] = v;
      else single = false;
    }
    const h = (name: string) => {
      const v = req.headers[name];
      return typeof v === 'string' ? v : undefined;
    };
    const nonce = h('x-plivo-signature-v3-nonce');
    const sig = [h('x-plivo-signature-v3'), h('x-plivo-signature-ma-v3')].filter((x): x is string => !!x).join(',');
    if (!single || !validatePlivoSignatureV3(deps.plivoAuthToken ?? '', sig, nonce, `${ctx.publicUrl}${req.url}`, params)) {
      void reply.status(403).type('text/plain').send('Forbidden: bad or missing X-Plivo-Signature-V3');
      return null;
    }
    if (!plivoNonces.use(must(nonce, 'nonce'), ctx.clock.now())) {
      void reply.status(403).type('text/plain').send('Forbidden: this X-Plivo-Signature-V3-Nonce was already used (a replay)');
      return null;
    }
    return params;
  };
  const xml = (reply: FastifyReply, body: string) => reply.status(200).type('application/xml').send(body);

  // Plivo: an inbound SMS (the Plivo application's Message URL).
  app.post('/integrations/v1/plivo/sms', { schema: { hide: true } }, async (req, reply) => {
    const p = plivo(req, reply);
    if (!p) return reply;
    const from = p.From ?? '';
    if (!/^\+?\d{4,15}$/.test(from)) return bad(reply, 'From must be a phone number');
    if (p.Type !== undefined && p.Type !== 'sms') return reply.status(200).send({ ok: true, ignored: 'not an SMS' });
    await textBack(e164(from), await smsReply(ctx, e164(from), p.Text ?? ''));
    return reply.status(200).send({ ok: true });
  });

  // Plivo: a message status (the `url` of the message); `message` is the outbox id.
  app.post('/integrations/v1/plivo/status', { schema: { hide: true } }, async (req, reply) => {
    const p = plivo(req, reply);
    if (!p) return reply;
    const status = p.Status ?? p.MessageState;
    if (!status) return bad(reply, 'Status is required');
    await providerStatus(ctx, messageId(req), 'plivo', {
      status,
      providerMessageId: p.MessageUUID ?? null,
      error: p.ErrorCode && p.ErrorCode !== '000' ? `Plivo error ${p.ErrorCode}` : null,
      failed: ['failed', 'undelivered', 'rejected'].includes(status),
    });
    return reply.status(204).send();
  });

  // Plivo: the call was answered; Plivo fetches what to say (answer_url).
  app.post('/integrations/v1/plivo/voice', { schema: { hide: true } }, async (req, reply) => {
    if (!plivo(req, reply)) return reply;
    const id = messageId(req);
    const row = await outboxContent(ctx.db.kysely, id);
    if (!row) return xml(reply, plivoSay('This page is no longer available. Goodbye.'));
    return xml(reply, renderPlivoXml(JSON.parse(row.content) as Message, `${ctx.publicUrl}/integrations/v1/plivo/voice/digits?message=${encodeURIComponent(id)}`));
  });

  // Plivo: the key pressed (the <GetDigits> action).
  app.post('/integrations/v1/plivo/voice/digits', { schema: { hide: true } }, async (req, reply) => {
    const p = plivo(req, reply);
    if (!p) return reply;
    const id = messageId(req);
    const r = await voiceKeyPress(ctx, id, p.Digits ?? '');
    if ('repeat' in r) return xml(reply, renderPlivoXml(r.repeat, `${ctx.publicUrl}/integrations/v1/plivo/voice/digits?message=${encodeURIComponent(id)}`));
    return xml(reply, plivoSay(r.say));
  });

  // Plivo: the call ended (hangup_url). A call that `failed` fails over.
  app.post('/integrations/v1/plivo/voice/hangup', { schema: { hide: true } }, async (req, reply) => {
    const p = plivo(req, reply);
    if (!p) return reply;
    const status = p.CallStatus ?? 'unknown';
    await providerStatus(ctx, messageId(req), 'plivo', { status, providerMessageId: p.RequestUUID ?? p.CallUUID ?? null, error: p.HangupCause ?? null, failed: status === 'failed' });
    return reply.status(204).send();
  });

  // ---- Telnyx: one webhook URL for messaging and Call Control events, signed with Ed25519. ----
  const telnyxKey = deps.telnyx ? telnyxPublicKey(deps.telnyx.publicKey) : null;
  const telnyxVoice = { voice: 'female', language: 'en-US' };
  const bye = Buffer.from('klaxon:bye').toString('base64');
  app.post('/integrations/v1/telnyx/webhook', { schema: { hide: true } }, async (req, reply) => {
    const why = checkTelnyxWebhook(telnyxKey, req.headers['telnyx-signature-ed25519'], req.headers['telnyx-timestamp'], req.rawBody ?? '', ctx.clock.now());
    if (why) return reply.status(403).type('text/plain').send(`Forbidden: bad or stale Telnyx signature (${why})`);
    const body = req.body as { data?: { event_type?: unknown; payload?: Record<string, unknown> } } | undefined;
    const type = str(body?.data?.event_type);
    const p = body?.data?.payload;
    if (!type || !p || typeof p !== 'object') return bad(reply, 'data.event_type and data.payload are required');
    const id = messageId(req);
    const tc = deps.telnyx?.client ?? null;
    // A command that fails (the call already ended) is logged; the webhook itself was fine.
    const client = tc && {
      command: (...a: Parameters<typeof tc.command>) => tc.command(...a).catch((err: unknown) => ctx.log.warn({ err, action: a[1] }, 'telnyx: a Call Control command failed')),
    };
    const callId = str(p.call_control_id);
    if (type === 'message.received') {
      const from = str((p.from as { phone_number?: unknown } | undefined)?.phone_number);
      if (!from || !/^\+?\d{4,15}$/.test(from)) return bad(reply, 'data.payload.from.phone_number must be a phone number');
      await textBack(e164(from), await smsReply(ctx, e164(from), str(p.text) ?? ''));
    } else if (type === 'message.sent' || type === 'message.finalized') {
      const to = Array.isArray(p.to) ? (p.to[0] as { status?: unknown } | undefined) : undefined;
      const status = str(to?.status) ?? 'unknown';
      const errors = Array.isArray(p.errors) ? (p.errors as { title?: unknown; detail?: unknown }[]) : [];
      const error = errors.length ? errors.map((e) => [e.title, e.detail].filter((x) => typeof x === 'string').join(': ')).join('; ') : null;
      await providerStatus(ctx, id, 'telnyx', { status, providerMessageId: str(p.id), error, failed: status === 'sending_failed' || status === 'delivery_failed' });
    } else if (type === 'call.answered' && callId && client) {
      const row = await outboxContent(ctx.db.kysely, id);
      const script = row ? voiceScript(JSON.parse(row.content) as Message) : { text: 'This page is no longer available. Goodbye.', gather: false };
      if (script.gather)
        await client.command(callId, 'gather_using_speak', { payload: script.text, ...telnyxVoice, minimum_digits: 1, maximum_digits: 1, valid_digits: '0123456789', timeout_millis: 10_000 });
      else await client.command(callId, 'speak', { payload: script.text, ...telnyxVoice, client_state: bye });
    } else if (type === 'call.gather.ended' && callId && client) {
      const r = await voiceKeyPress(ctx, id, str(p.digits) ?? '');
      if ('repeat' in r)
        await client.command(callId, 'gather_using_speak', {
          payload: voiceScript(r.repeat).text,
          ...telnyxVoice,
          minimum_digits: 1,
          maximum_digits: 1,
          valid_digits: '0123456789',
          timeout_millis: 10_000,
        });
      else await client.command(callId, 'speak', { payload: r.say, ...telnyxVoice, client_state: bye });
    } else if (type === 'call.speak.ended' && callId && client && str(p.client_state) === bye) {
      await client.command(callId, 'hangup', {});
    } else if (type === 'call.hangup') {
      // The call ended. A call Telnyx could not put through (TELNYX_CALL_FAILED) fails over to the next
      // provider, as a Twilio or Plivo call that `failed`; busy, no answer and a normal end do not.
      const cause = str(p.hangup_cause) ?? 'unspecified';
      const sip = str(p.sip_hangup_cause);
      await providerStatus(ctx, id, 'telnyx', {
        status: cause,
        providerMessageId: callId ?? null,
        error: `hangup_cause ${cause}${sip ? `, SIP ${sip}` : ''}`,
        failed: TELNYX_CALL_FAILED.has(cause),
      });
    }
    return reply.status(200).send({ ok: true });
  });
}

/**
 * Telnyx `call.hangup` causes (documented: call_rejected, normal_clearing, originator_cancel, timeout,
 * time_limit, user_busy, not_found, no_answer, unspecified) that mean the call could not be put
 * through: the number does not exist or the network refused the call. Busy, no answer and a normal
 * end are the person's phone answering or ringing, and do not fail over.
 */
export const TELNYX_CALL_FAILED: ReadonlySet<string> = new Set(['call_rejected', 'not_found']);
