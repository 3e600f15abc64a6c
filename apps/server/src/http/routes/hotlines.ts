import type { FastifyReply, FastifyRequest } from 'fastify';
import { HotlineAnswer, HotlineInput, HotlineParams, HotlinePatch, HotlinesAnswer, IdParams, NoContent } from '@klaxon/contract';
import { verifyVonageSignature } from '../../hotline/ncco.js';
import * as hotlines from '../../hotline/service.js';
import { actorOf } from '../auth.js';
import type { App, HttpDeps } from '../deps.js';

/** The hotline API under a service (/api/v1). */
export async function hotlineApiRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  const tags = ['services'];
  app.get('/services/:id/hotlines', { schema: { tags, params: IdParams, summary: "A service's hotline numbers", response: { 200: HotlinesAnswer } } }, async (req) => ({
    hotlines: await hotlines.listHotlines(ctx, await actorOf(ctx, req), req.params.id),
  }));
  app.post(
    '/services/:id/hotlines',
    { schema: { tags, params: IdParams, body: HotlineInput, summary: 'Add a hotline number: calls to it open an incident and ring the on-call people', response: { 201: HotlineAnswer } } },
    async (req, reply) => reply.status(201).send({ hotline: await hotlines.createHotline(ctx, await actorOf(ctx, req), req.params.id, req.body) }),
  );
  app.get('/services/:id/hotlines/:hotlineId', { schema: { tags, params: HotlineParams, response: { 200: HotlineAnswer } } }, async (req) => ({
    hotline: await hotlines.getHotline(ctx, await actorOf(ctx, req), req.params.id, req.params.hotlineId),
  }));
  app.patch('/services/:id/hotlines/:hotlineId', { schema: { tags, params: HotlineParams, body: HotlinePatch, response: { 200: HotlineAnswer } } }, async (req) => ({
    hotline: await hotlines.updateHotline(ctx, await actorOf(ctx, req), req.params.id, req.params.hotlineId, req.body),
  }));
  app.delete('/services/:id/hotlines/:hotlineId', { schema: { tags, params: HotlineParams, response: { 204: NoContent } } }, async (req, reply) => {
    await hotlines.deleteHotline(ctx, await actorOf(ctx, req), req.params.id, req.params.hotlineId);
    return reply.status(204).send();
  });
}

type CheckTwilio = (deps: HttpDeps, req: FastifyRequest, reply: FastifyReply) => Record<string, string> | null;

const SID = /^CA[0-9a-fA-F]{32}$/;

/**
 * Twilio's webhooks of a hotline number, registered in the scope that parses Twilio's form bodies
 * (routes/inbound.ts): POST /integrations/v1/twilio/hotline (the number's Voice webhook) and
 * POST /integrations/v1/twilio/hotline/dial (the action of each <Dial>). Both are checked with
 * X-Twilio-Signature first (403, nothing changes); missing or malformed fields are a 400 in words.
 */
export function hotlineTwilioRoutes(app: App, deps: HttpDeps, checkTwilio: CheckTwilio): void {
  const { ctx } = deps;
  const bad = (reply: FastifyReply, message: string) => reply.status(400).type('text/plain').send(`Bad request: ${message}`);
  const xml = (reply: FastifyReply, body: string) => reply.type('text/xml').send(body);

  app.post('/integrations/v1/twilio/hotline', { schema: { hide: true } }, async (req, reply) => {
    const params = checkTwilio(deps, req, reply);
    if (!params) return reply;
    const { CallSid: callSid, From: from, To: to } = params;
    if (!callSid || !SID.test(callSid)) return bad(reply, 'CallSid must be a Twilio call SID (CA and 32 hex digits)');
    if (!to) return bad(reply, 'To (the number called) is required');
    return xml(reply, await hotlines.twilioIncomingCall(ctx, { to, from: from ?? '', callSid }));
  });

  app.post('/integrations/v1/twilio/hotline/dial', { schema: { hide: true } }, async (req, reply) => {
    const params = checkTwilio(deps, req, reply);
    if (!params) return reply;
    const q = req.query as Record<string, string>;
    const attempt = /^\d{1,3}$/.test(q.attempt ?? '') ? Number(q.attempt) : NaN;
    if (!q.call || Number.isNaN(attempt)) return bad(reply, 'the query must carry call and attempt (a whole number), as Klaxon wrote them in the <Dial action>');
    const { CallSid: callSid, DialCallStatus: status, DialCallDuration: duration } = params;
    if (!callSid || !SID.test(callSid)) return bad(reply, 'CallSid must be a Twilio call SID (CA and 32 hex digits)');
    if (!hotlines.DIAL_CALL_STATUSES.includes(status as never)) return bad(reply, `DialCallStatus must be one of ${hotlines.DIAL_CALL_STATUSES.join(', ')}`);
    const seconds = duration !== undefined && /^\d{1,6}$/.test(duration) ? Number(duration) : null;
    const out = await hotlines.twilioDialEnded(ctx, { callId: q.call, attempt, callSid, dialCallStatus: status as (typeof hotlines.DIAL_CALL_STATUSES)[number], duration: seconds });
    if (out === null) return reply.status(404).type('text/plain').send('Not found: no hotline call with this id and CallSid');
    return xml(reply, out);
  });
}

/**
 * Vonage's webhooks of a hotline number, in their own scope (JSON bodies): GET or POST
 * /integrations/v1/vonage/hotline/answer (the Voice application's answer URL; GET carries to, from
 * and uuid in the query, POST in a JSON body) and POST /integrations/v1/vonage/hotline/event (the
 * `eventUrl` of each synchronous `connect`). Each is checked with Vonage's signed-webhook JWT
 * (Authorization: Bearer, HS256 with KLAXON_VONAGE_SIGNATURE_SECRET, payload_hash) first: 403 and
 * nothing changes. Missing or malformed fields: 400 in words.
 */
export async function hotlineVonageRoutes(app: App, deps: HttpDeps): Promise<void> {
  const { ctx } = deps;
  const bad = (reply: FastifyReply, message: string) => reply.status(400).type('text/plain').send(`Bad request: ${message}`);
  const ncco = (reply: FastifyReply, body: string) => reply.type('application/json').send(body);
  /** The request's parameters (query for GET, JSON body for POST) as an object of strings or numbers, or a 400/403 already sent. */
  const check = (req: FastifyRequest, reply: FastifyReply): Record<string, unknown> | null => {
    const fromBody = req.method === 'POST';
    const params = (fromBody ? req.body : req.query) as unknown;
    if (typeof params !== 'object' || params === null || Array.isArray(params)) {
      void bad(reply, fromBody ? 'the body must be a JSON object' : 'the query must carry to, from and uuid');
      return null;
    }
    const secret = deps.vonageSignatureSecret ?? '';
    const auth = typeof req.headers.authorization === 'string' ? req.headers.authorization : undefined;
    if (!verifyVonageSignature(secret, auth, JSON.stringify(params), Math.floor(ctx.clock.now() / 1000))) {
      void reply.status(403).type('text/plain').send('Forbidden: bad or missing Vonage signature (Authorization: Bearer <JWT>)');
      return null;
    }
    return params as Record<string, unknown>;
  };
  const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

  const answer = async (req: FastifyRequest, reply: FastifyReply) => {
    const p = check(req, reply);
    if (!p) return reply;
    const to = str(p.to);
    const uuid = str(p.uuid);
    if (!uuid || !/^[A-Za-z0-9-]{8,64}$/.test(uuid)) return bad(reply, 'uuid (the call) is required: letters, digits and dashes');
    if (!to) return bad(reply, 'to (the number called) is required');
    return ncco(reply, await hotlines.vonageIncomingCall(ctx, { to, from: str(p.from) ?? '', uuid }));
  };
  app.get('/integrations/v1/vonage/hotline/answer', { schema: { hide: true } }, answer);
  app.post('/integrations/v1/vonage/hotline/answer', { schema: { hide: true } }, answer);

  app.post('/integrations/v1/vonage/hotline/event', { schema: { hide: true } }, async (req, reply) => {
    const q = req.query as Record<string, unknown>;
    const attempt = typeof q.attempt === 'string' && /^\d{1,3}$/.test(q.attempt) ? Number(q.attempt) : NaN;
    if (typeof q.call !== 'string' || !q.call || Number.isNaN(attempt)) return bad(reply, 'the query must carry call and attempt (a whole number), as Klaxon wrote them in the eventUrl');
    const p = check(req, reply);
    if (!p) return reply;
    const status = str(p.status);
    if (!status) return bad(reply, 'status is required');
    const d = p.duration;
    const duration = typeof d === 'string' && /^\d{1,6}$/.test(d) ? Number(d) : typeof d === 'number' && Number.isInteger(d) && d >= 0 ? d : null;
    const out = await hotlines.vonageConnectEvent(ctx, { callId: q.call, attempt, status, duration });
    if (out === null) return reply.status(404).type('text/plain').send('Not found: no hotline call with this id');
    if (out === undefined) return reply.status(204).send();
    return ncco(reply, out);
  });
}
