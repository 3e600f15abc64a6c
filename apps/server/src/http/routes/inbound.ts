import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor, Via } from '../../auth/actor.js';
import { SYSTEM } from '../../auth/actor.js';
import { inTransaction, type Ctx } from '../../context.js';
import { appendTimeline } from '../../incident/timeline.js';
import { userNameRow } from '../../user/store.js';
import * as incidents from '../../incident/service.js';
import { findIncident } from '../../incident/service.js';
import { AppError } from '../../lib/errors.js';
import { verifyLink } from '../../notify/links.js';
import { renderVoiceGatherResult, renderVoiceTwiml } from '../../notify/render/voice.js';
import { validateTwilioSignature } from '../../notify/providers/twilio/signature.js';
import { lastSmsPage, outboxContent, outboxDelivery, outboxExists, outboxPage, outboxVoicePage, recordProviderCallback, requeueAfterProviderFailure } from '../../notify/store.js';
import { enqueueMessage } from '../../notify/outbox.js';
import { repeatsUnanswered } from '../../user/store.js';
import type { Message, PageBundle } from '../../notify/types.js';
import { actorForUser, userByContactAddress } from '../../user/service.js';
import type { App } from '../deps.js';
import type { HttpDeps } from '../deps.js';
import { parseSmsReply, SMS_HELP } from './sms-reply.js';
import { hotlineTwilioRoutes } from './hotlines.js';
import { must } from '../../lib/must.js';

declare module 'fastify' {
  interface FastifyRequest {
    rawBody?: string;
  }
}

const esc = (s: string) => s.replace(/[&<>"']/g, (c) => must({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[c], `the escape of ${c}`));

function page(title: string, body: string): string {
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1"><title>${esc(title)} · Klaxon</title>
<style>body{font:18px/1.5 system-ui,sans-serif;max-width:32rem;margin:2rem auto;padding:0 1rem;color:#111;background:#fafafa}@media(prefers-color-scheme:dark){body{color:#eee;background:#111}}
button{font-size:1.2rem;padding:.9rem 1.4rem;border:0;border-radius:.5rem;background:#c62828;color:#fff;width:100%}h1{font-size:1.4rem}</style></head><body>${body}</body></html>`;
}

function twiml(xmlBody: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?><Response>${xmlBody}</Response>`;
}

/** Acts on an incident for a channel reply; returns a sentence for the person. */
async function act(ctx: Ctx, actor: Actor, incidentId: string, action: 'ack' | 'resolve', via: Via): Promise<string> {
  try {
    const verb = action === 'ack' ? incidents.acknowledge : incidents.resolve;
    const r = await verb(ctx, actor, incidentId, via);
    const word = action === 'ack' ? 'acknowledged' : 'resolved';
    return r.changed ? `Incident #${r.incident.number} ${word}.` : `Incident #${r.incident.number} is already ${r.incident.status}.`;
  } catch (e) {
    if (e instanceof AppError) return e.message;
    throw e;
  }
}

/** The bundle a page message carries, if it is one (docs/paging.md, "Storms"). */
export function bundleOf(content: string): PageBundle | null {
  const m = JSON.parse(content) as Message;
  return m.kind === 'page' && m.bundle ? m.bundle : null;
}

/**
 * Acknowledges every incident of a bundle as this person (each on its own timeline); returns one
 * sentence. Not a verb itself: incidents.acknowledge checks the person's permission on each incident.
 */
export async function ackAll(ctx: Ctx, bundle: PageBundle, actor: Actor, via: Via): Promise<string> {
  const done: number[] = [];
  const already: string[] = [];
  for (const it of bundle.items) {
    try {
      const r = await incidents.acknowledge(ctx, actor, it.incidentId, via);
      if (r.changed) done.push(r.incident.number);
      else already.push(`#${r.incident.number} is ${r.incident.status}`);
    } catch (e) {
      if (!(e instanceof AppError)) throw e;
      already.push(`#${it.incidentNumber}: ${e.message}`);
    }
  }
  const head = done.length ? `Acknowledged ${done.length} incident${done.length === 1 ? '' : 's'}: ${done.map((n) => `#${n}`).join(', ')}.` : 'Nothing to acknowledge.';
  return already.length ? `${head} ${already.join('; ')}.` : head;
}

/** The URL Twilio signed: the public URL Klaxon is reached at, plus the path and query it called. */
function signedUrl(ctx: Ctx, req: FastifyRequest): string {
  return `${ctx.publicUrl}${req.url}`;
}

/**
 * Checks a Twilio webhook before any work: its form parameters and query must be single strings
 * (Twilio only ever sends form-encoded strings; a JSON body or a repeated `message` is not Twilio),
 * else 400; then the X-Twilio-Signature, else 403. Answers the request itself and returns null when
 * it fails.
 */
export function checkTwilio(deps: HttpDeps, req: FastifyRequest, reply: FastifyReply): Record<string, string> | null {
  const body = req.body ?? {};
  const query = (req.query ?? {}) as Record<string, unknown>;
  const bad = (where: string) => {
    void reply.status(400).type('text/plain').send(`Bad request: ${where} must be form-encoded text parameters (application/x-www-form-urlencoded), one value each`);
    return null;
  };
  // Only our form parser sets rawBody: any other body (JSON, even `null`) is not Twilio's.
  if ((req.body !== undefined && req.rawBody === undefined) || typeof body !== 'object' || Array.isArray(body)) return bad('the body');
  for (const v of Object.values(body)) if (typeof v !== 'string') return bad('the body');
  for (const v of Object.values(query)) if (typeof v !== 'string') return bad('the query');
  const params = body as Record<string, string>;
  const sig = req.headers['x-twilio-signature'];
  if (!deps.twilioAuthToken || typeof sig !== 'string' || !validateTwilioSignature(deps.twilioAuthToken, sig, signedUrl(deps.ctx, req), params)) {
    void reply.status(403).type('text/plain').send('Forbidden: bad or missing X-Twilio-Signature');
    return null;
  }
  return params;
}

/**
 * Acts on an SMS reply (or a WhatsApp message through Twilio) from `from` (any SMS provider) and returns the answer to text back: the
 * command's result, or help.
 */
export async function smsReply(ctx: Ctx, from: string, body: string, channel: 'sms' | 'whatsapp' = 'sms'): Promise<string> {
  const actor = await userByContactAddress(ctx, channel, from);
  if (!actor) return 'This number is not registered with Klaxon.';
  const cmd = parseSmsReply(body);
  if (!cmd) return SMS_HELP;
  let incidentId: string | undefined;
  if (cmd.number !== null) {
    incidentId = (await findIncident(ctx.db.kysely, cmd.number))?.id;
    if (!incidentId) return `There is no incident #${cmd.number}. ${SMS_HELP}`;
  } else {
    // No number: the latest incident this person was paged about by SMS; "A" after a bundle acknowledges all of it.
    const last = await lastSmsPage(ctx.db.kysely, from, channel);
    const bundle = last ? bundleOf(last.content) : null;
    if (bundle && cmd.action === 'ack') return ackAll(ctx, bundle, actor, channel);
    if (bundle) return `Your latest page named ${bundle.items.length} incidents: reply with a number, e.g. "${must(bundle.items[0], 'bundle.items[0]').incidentNumber}R", to resolve one.`;
    incidentId = last?.incident_id ?? undefined;
    if (!incidentId) return `No recent page to this number. ${SMS_HELP}`;
  }
  return act(ctx, actor, incidentId, cmd.action, channel);
}

/**
 * A key pressed during the voice page of outbox message `messageId` (any voice provider): 4
 * acknowledges, 6 resolves, 1 repeats. Returns what to say before hanging up, or the message to
 * read again.
 */
export async function voiceKeyPress(ctx: Ctx, messageId: string, digits: string): Promise<{ say: string } | { repeat: Message }> {
  const row = await outboxPage(ctx.db.kysely, messageId);
  if (!row?.incident_id || !row.user_id) return { say: 'This page is no longer available. Goodbye.' };
  if (digits === '1') return { repeat: JSON.parse(row.content) as Message };
  // The audit trail records the number called (the person's phone) as where the key was pressed.
  const actor = await actorForUser(ctx, row.user_id, { via: 'voice', address: row.destination });
  if (!actor) return { say: 'Your user no longer exists. Goodbye.' };
  const bundle = bundleOf(row.content);
  if (digits === '4' && bundle) return { say: `${await ackAll(ctx, bundle, actor, 'voice')} Goodbye.` };
  if (digits === '6' && bundle) return { say: 'Resolve each incident in Klaxon. Nothing was changed. Goodbye.' };
  if (digits === '4') return { say: `${await act(ctx, actor, row.incident_id, 'ack', 'voice')} Goodbye.` };
  if (digits === '6') return { say: `${await act(ctx, actor, row.incident_id, 'resolve', 'voice')} Goodbye.` };
  return { say: 'Unknown key. Nothing was changed. Goodbye.' };
}

/**
 * A delivery-status callback from `provider` about outbox message `id`: recorded; when it says the
 * SMS or call failed, the message goes back in the queue to be sent through the next provider
 * (delivery skips those that failed it), and the incident's timeline says so.
 */
export async function providerStatus(ctx: Ctx, id: string, provider: string, o: { status: string; providerMessageId: string | null; error: string | null; failed: boolean }): Promise<void> {
  if (!(await outboxExists(ctx.db.kysely, id))) return;
  const now = ctx.clock.now();
  const requeued = await inTransaction(ctx, async (trx, live) => {
    await recordProviderCallback(trx, id, now, { status: o.status, providerMessageId: o.providerMessageId, error: o.error });
    if (!o.failed) return false;
    const why = `${provider} reported ${o.status}${o.error ? `: ${o.error}` : ''}`;
    if (!(await requeueAfterProviderFailure(trx, id, provider, now, why))) return false;
    const m = await outboxDelivery(trx, id);
    if (m?.incident_id && m.kind === 'page') {
      const name = m.user_id ? (await userNameRow(trx, m.user_id))?.name : undefined;
      const masked = m.destination.length > 6 ? `${m.destination.slice(0, 3)}…${m.destination.slice(-4)}` : m.destination;
      await appendTimeline(
        trx,
        {
          incidentId: m.incident_id,
          at: now,
          type: 'notification.failover',
          actor: SYSTEM,
          via: 'engine',
          message: `Paging ${name ?? 'someone'} by ${m.channel} (${masked}) through ${provider} failed (delivery report: ${o.status}); trying the next provider, if any`,
          data: { messageId: id, channel: m.channel, from: provider },
        },
        live,
      );
    }
    return true;
  });
  if (requeued) ctx.wake();
}

/** Queues one more call for an unanswered voice page when its contact method asks for it (never for a repeat, nor once the incident is not triggered). */
async function repeatUnansweredCall(ctx: Ctx, messageId: string): Promise<void> {
  const row = await outboxVoicePage(ctx.db.kysely, messageId);
  if (!row || row.channel !== 'voice' || row.kind !== 'page' || !row.contact_method_id || !row.incident_id) return;
  const page = JSON.parse(row.content) as Message;
  if (page.kind !== 'page' || page.repeatOfUnanswered) return;
  if (!(await repeatsUnanswered(ctx.db.kysely, row.contact_method_id))) return;
  if ((await findIncident(ctx.db.kysely, row.incident_id))?.status !== 'triggered') return;
  await ctx.db.kysely.transaction().execute((trx) =>
    enqueueMessage(trx, ctx.clock.now(), {
      channel: 'voice',
      destination: row.destination,
      message: { ...page, repeatOfUnanswered: true },
      userId: row.user_id,
      contactMethodId: row.contact_method_id,
      incidentId: row.incident_id,
    }),
  );
  ctx.wake();
}

/** Replies from outside: signed email links, Twilio SMS replies and voice key presses, Slack buttons. */
export async function inboundRoutes(app: App, deps: HttpDeps): Promise<void> {
  const { ctx } = deps;
  // Keep the raw body of forms (Twilio's parameters).
  app.removeContentTypeParser('application/x-www-form-urlencoded');
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string', bodyLimit: 256 * 1024 }, (req, body, done) => {
    req.rawBody = body as string;
    done(null, Object.fromEntries(new URLSearchParams(body as string)));
  });

  // Email links. GET only shows a button: mail scanners fetch links, and must not acknowledge incidents.
  app.get('/actions/:token', { schema: { hide: true } }, async (req, reply) => {
    const { token } = req.params as { token: string };
    const claims = verifyLink(ctx.linkSecret, token, ctx.clock.now());
    if (claims === 'invalid') return reply.status(403).type('text/html').send(page('Invalid link', '<h1>This link is not valid.</h1>'));
    if (claims === 'expired') return reply.status(410).type('text/html').send(page('Link expired', '<h1>This link has expired.</h1><p>Open Klaxon to act on the incident.</p>'));
    if (claims.bundleId) {
      const row = await outboxPage(ctx.db.kysely, claims.bundleId);
      const bundle = row && row.user_id === claims.userId ? bundleOf(row.content) : null;
      if (!bundle) return reply.status(404).type('text/html').send(page('Not found', '<h1>That message no longer exists.</h1>'));
      const list = bundle.items.map((it) => `<li>#${it.incidentNumber} ${esc(it.serviceName)}: ${esc(it.title)}</li>`).join('');
      return reply
        .type('text/html')
        .send(
          page(
            `Acknowledge ${bundle.items.length} incidents`,
            `<h1>${bundle.items.length} incidents</h1><ul>${list}</ul><form method="post"><button type="submit">Acknowledge all ${bundle.items.length}</button></form>`,
          ),
        );
    }
    const inc = await findIncident(ctx.db.kysely, claims.incidentId);
    if (!inc) return reply.status(404).type('text/html').send(page('Not found', '<h1>That incident no longer exists.</h1>'));
    const verb = claims.action === 'ack' ? 'Acknowledge' : 'Resolve';
    return reply.type('text/html').send(
      page(
        `${verb} #${inc.number}`,
        `<h1>#${inc.number} ${esc(inc.title)}</h1><p>${esc(inc.serviceName)} · ${esc(inc.severity)} · now <b>${esc(inc.status)}</b></p>
<form method="post"><button type="submit">${verb} incident #${inc.number}</button></form>`,
      ),
    );
  });
  app.post('/actions/:token', { schema: { hide: true } }, async (req, reply) => {
    const { token } = req.params as { token: string };
    const claims = verifyLink(ctx.linkSecret, token, ctx.clock.now());
    if (claims === 'invalid') return reply.status(403).type('text/html').send(page('Invalid link', '<h1>This link is not valid.</h1>'));
    if (claims === 'expired') return reply.status(410).type('text/html').send(page('Link expired', '<h1>This link has expired.</h1>'));
    // Links travel by email, push or webhook; the timeline says which one was used, the audit trail also the client's address.
    const via: Via = claims.channel === 'push' || claims.channel === 'webhook' || claims.channel === 'ntfy' ? claims.channel : 'email';
    const actor = await actorForUser(ctx, claims.userId, { via, address: req.ip });
    if (!actor) return reply.status(403).type('text/html').send(page('Unknown user', '<h1>The user this link was sent to no longer exists.</h1>'));
    if (claims.bundleId) {
      // A bundle's link acknowledges every incident of that message, as the person it was sent to.
      const row = await outboxPage(ctx.db.kysely, claims.bundleId);
      const bundle = row && row.user_id === claims.userId ? bundleOf(row.content) : null;
      if (!bundle) return reply.status(404).type('text/html').send(page('Not found', '<h1>That message no longer exists.</h1>'));
      return reply.type('text/html').send(page('Done', `<h1>${esc(await ackAll(ctx, bundle, actor, via))}</h1>`));
    }
    const text = await act(ctx, actor, claims.incidentId, claims.action, via);
    return reply.type('text/html').send(page('Done', `<h1>${esc(text)}</h1>`));
  });

  // Twilio: an SMS reply. Answered with TwiML <Message>, which Twilio sends back to the person.
  app.post('/integrations/v1/twilio/sms', { schema: { hide: true } }, async (req, reply) => {
    const params = checkTwilio(deps, req, reply);
    if (!params) return reply;
    const respond = (text: string) => reply.type('text/xml').send(twiml(`<Message>${esc(text)}</Message>`));
    // WhatsApp messages through Twilio arrive the same way, From `whatsapp:+E164`: same syntax, same answers.
    const channel = (params.From ?? '').startsWith('whatsapp:') ? 'whatsapp' : 'sms';
    const from = channel === 'whatsapp' ? must(params.From, 'params.From').slice('whatsapp:'.length) : (params.From ?? '');
    return respond(await smsReply(ctx, from, params.Body ?? '', channel));
  });

  // Twilio: the TwiML for a voice page (Twilio fetches it when the call connects).
  app.post('/integrations/v1/twilio/voice', { schema: { hide: true } }, async (req, reply) => {
    if (!checkTwilio(deps, req, reply)) return reply;
    const id = (req.query as { message?: string }).message ?? '';
    const row = await outboxContent(ctx.db.kysely, id);
    if (!row) return reply.type('text/xml').send(renderVoiceGatherResult('This page is no longer available. Goodbye.'));
    const message = JSON.parse(row.content) as Message;
    return reply.type('text/xml').send(renderVoiceTwiml(message, { gatherUrl: `${ctx.publicUrl}/integrations/v1/twilio/voice/gather?message=${encodeURIComponent(id)}` }));
  });

  // Twilio: a key pressed during a voice page. 4 acknowledges, 6 resolves, 1 repeats.
  app.post('/integrations/v1/twilio/voice/gather', { schema: { hide: true } }, async (req, reply) => {
    const params = checkTwilio(deps, req, reply);
    if (!params) return reply;
    const id = (req.query as { message?: string }).message ?? '';
    const r = await voiceKeyPress(ctx, id, params.Digits ?? '');
    if ('repeat' in r) return reply.type('text/xml').send(renderVoiceTwiml(r.repeat, { gatherUrl: `${ctx.publicUrl}/integrations/v1/twilio/voice/gather?message=${encodeURIComponent(id)}` }));
    return reply.type('text/xml').send(renderVoiceGatherResult(r.say));
  });

  // Twilio: calls to a hotline number (hotline/), in this scope for its form parser.
  hotlineTwilioRoutes(app, deps, checkTwilio);

  // Twilio: delivery status callbacks for SMS and calls; each is recorded against its outbox message.
  app.post('/integrations/v1/twilio/status', { schema: { hide: true } }, async (req, reply) => {
    const params = checkTwilio(deps, req, reply);
    if (!params) return reply;
    const id = (req.query as { message?: string }).message ?? '';
    const status = params.MessageStatus ?? params.CallStatus ?? 'unknown';
    // Twilio's failure words: an SMS `failed` or `undelivered`, a call `failed` (busy and no-answer reached the phone).
    await providerStatus(ctx, id, 'twilio', {
      status,
      providerMessageId: params.MessageSid ?? params.CallSid ?? null,
      error: params.ErrorCode ? `Twilio error ${params.ErrorCode}` : null,
      failed: status === 'failed' || status === 'undelivered',
    });
    // A page's call not answered (busy, no answer): a voice method set to repeat calls once more,
    // at once (iOS lets a second call from the same number within three minutes through Do Not Disturb).
    if (params.CallStatus === 'no-answer' || params.CallStatus === 'busy') await repeatUnansweredCall(ctx, id);
    return reply.status(204).send();
  });

  // Slack's buttons, events and commands are chat platform routes (routes/chat.ts, chat/slack/platform.ts).
}
