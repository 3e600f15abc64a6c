import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import * as heartbeats from '../../heartbeat/service.js';
import { CheckinParams, HeartbeatAnswer, HeartbeatInput, HeartbeatParams, HeartbeatPatch, HeartbeatsAnswer, IdParams, NoContent, PingParams } from '@klaxon/contract';
import { IngestError, parseGenieKey } from '../../ingest/index.js';
import { findIntegrationByKey } from '../../service/service.js';
import { actorOf } from '../auth.js';
import type { App, HttpDeps } from '../deps.js';
import { errorBody } from '../errors.js';

/** The heartbeat API under a service (/api/v1). */
export async function heartbeatApiRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  const tags = ['services'];
  app.get(
    '/services/:id/heartbeats',
    { schema: { tags, params: IdParams, summary: "A service's heartbeats with their state and last check-in", response: { 200: HeartbeatsAnswer } } },
    async (req) => ({
      heartbeats: await heartbeats.listHeartbeats(ctx, await actorOf(ctx, req), req.params.id),
    }),
  );
  app.post(
    '/services/:id/heartbeats',
    { schema: { tags, params: IdParams, body: HeartbeatInput, summary: 'Create a heartbeat; its check-in URL is shown once', response: { 201: HeartbeatAnswer } } },
    async (req, reply) => reply.status(201).send({ heartbeat: await heartbeats.createHeartbeat(ctx, await actorOf(ctx, req), req.params.id, req.body) }),
  );
  app.get('/services/:id/heartbeats/:heartbeatId', { schema: { tags, params: HeartbeatParams, response: { 200: HeartbeatAnswer } } }, async (req) => ({
    heartbeat: await heartbeats.getHeartbeat(ctx, await actorOf(ctx, req), req.params.id, req.params.heartbeatId),
  }));
  app.patch('/services/:id/heartbeats/:heartbeatId', { schema: { tags, params: HeartbeatParams, body: HeartbeatPatch, response: { 200: HeartbeatAnswer } } }, async (req) => ({
    heartbeat: await heartbeats.updateHeartbeat(ctx, await actorOf(ctx, req), req.params.id, req.params.heartbeatId, req.body),
  }));
  app.delete('/services/:id/heartbeats/:heartbeatId', { schema: { tags, params: HeartbeatParams, response: { 204: NoContent } } }, async (req, reply) => {
    await heartbeats.deleteHeartbeat(ctx, await actorOf(ctx, req), req.params.id, req.params.heartbeatId);
    return reply.status(204).send();
  });
}

/**
 * Check-ins from senders: GET/POST (and HEAD) /heartbeats/v1/{token}, and Opsgenie's Heartbeat ping
 * API, GET/POST/HEAD /v2/heartbeats/{name}/ping with `Authorization: GenieKey <opsgenie integration key>`,
 * answered in Opsgenie's shape.
 */
export async function heartbeatCheckinRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  // A check-in carries no meaning in its body: read any content type (or none) and ignore it.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 64 * 1024 }, (_req, _body, done) => done(null, undefined));

  const checkin = async (req: FastifyRequest, reply: FastifyReply) => {
    const { token } = req.params as { token: string };
    if (!(await heartbeats.checkInByToken(ctx, token))) return reply.status(404).send(errorBody('not_found', 'No heartbeat has this check-in URL'));
    return reply.status(202).send({ status: 'ok', message: 'Check-in received' });
  };
  app.get('/heartbeats/v1/:token', { schema: { hide: true, params: CheckinParams } }, checkin);
  app.post('/heartbeats/v1/:token', { schema: { hide: true, params: CheckinParams } }, checkin);

  const genie = (status: number, reply: FastifyReply, message: string) => reply.status(status).send({ message, took: 0, requestId: randomUUID() });
  const ping = async (req: FastifyRequest, reply: FastifyReply) => {
    const started = performance.now();
    let key: string;
    try {
      key = parseGenieKey(req.headers.authorization);
    } catch (e) {
      if (e instanceof IngestError) return genie(401, reply, `Could not authenticate: ${e.errors.join('; ') || e.message}`);
      throw e;
    }
    const found = await findIntegrationByKey(ctx.db.kysely, key);
    if (!found || found.integration.kind !== 'opsgenie') return genie(401, reply, 'Could not authenticate: unknown GenieKey');
    const { name } = req.params as { name: string };
    if (!(await heartbeats.checkInByName(ctx, found.service.id, name, 'Opsgenie ping API'))) return genie(404, reply, `Heartbeat with name [${name}] does not exist`);
    return reply.status(202).send({ result: 'PONG - Heartbeat received', took: Math.round(performance.now() - started) / 1000, requestId: randomUUID() });
  };
  app.get('/v2/heartbeats/:name/ping', { schema: { hide: true, params: PingParams } }, ping);
  app.post('/v2/heartbeats/:name/ping', { schema: { hide: true, params: PingParams } }, ping);
}
