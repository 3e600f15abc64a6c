import { Type } from '@sinclair/typebox';
import type { FastifyRequest } from 'fastify';
import type { Via } from '../../auth/actor.js';
import { verifySlackRequest } from '../../notify/providers/slack/signature.js';
import { listChat, markReceipt, postChat } from '../../warroom/chat.js';
import { addTask, postUpdate, runCommand, warRoomAck, warRoomResolve } from '../../warroom/commands.js';
import { drillSummary, exportTimelineMarkdown } from '../../warroom/report.js';
import { createAction, createRunbook, listActions, listRunbooks, reviewRunbook, runAction, runbooksForIncident } from '../../warroom/runbooks.js';
import {
  assignRole,
  declareMajor,
  declarePreview,
  getSettings,
  getWarRoom,
  listSeverityLevels,
  pageInto,
  setBridge,
  setImpact,
  setSeverity,
  updateSettings,
  updateSeverityLevel,
} from '../../warroom/service.js';
import { bridgeSlack, receiveSlackCommand, receiveSlackEvent, type SlackEventEnvelope } from '../../warroom/slack.js';
import { ActionInput, DeclareInput, ImpactInput, RunbookInput, WarRoomSettingsInput } from '../../warroom/types.js';
import type { App } from '../deps.js';
import { actorOf, viaOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { IdParams } from './people.js';

// A request from the web app (a session cookie) is via web, from the CLI via cli, else via api.
// Call after actorOf(), which is what recognizes the session.
const via = (req: FastifyRequest): Via => viaOf(req);
const Text = Type.Object({ text: Type.String({ minLength: 1, maxLength: 10_000 }) }, { additionalProperties: false });

/** War rooms: severity levels, settings, declare, roles, chat, commands, runbooks, actions, Slack bridge, export, drill summary. */
export async function warRoomRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  const tags = ['war room'];
  app.get('/severity-levels', { schema: { tags } }, async (req) => ({ severityLevels: await listSeverityLevels(ctx, await actorOf(ctx, req)) }));
  app.patch(
    '/severity-levels/:name',
    { schema: { tags, params: Type.Object({ name: Type.String({ minLength: 1, maxLength: 50 }) }), body: Type.Object({ description: Type.Optional(Type.String({ minLength: 1, maxLength: 2000 })), major: Type.Optional(Type.Boolean()) }, { additionalProperties: false }) } },
    async (req) => ({ severityLevel: await updateSeverityLevel(ctx, await actorOf(ctx, req), req.params.name, req.body) }),
  );
  app.get('/war-room/settings', { schema: { tags } }, async (req) => ({ settings: await getSettings(ctx, await actorOf(ctx, req)) }));
  app.patch('/war-room/settings', { schema: { tags, body: WarRoomSettingsInput } }, async (req) => ({ settings: await updateSettings(ctx, await actorOf(ctx, req), req.body) }));

  app.post('/major-incidents', { schema: { tags, body: DeclareInput, summary: 'Declare a major incident (from an incident, or fresh) and open its war room' } }, async (req, reply) =>
    reply.status(201).send(await declareMajor(ctx, await actorOf(ctx, req), req.body, via(req))),
  );
  app.get(
    '/incidents/:id/declare-preview',
    { schema: { tags, params: IdParams, querystring: Type.Object({ sev: Type.Optional(Type.String({ minLength: 1, maxLength: 50 })) }, { additionalProperties: false }), summary: 'Who declaring this incident major would make incident manager and page (nothing is changed)' } },
    async (req) => ({ preview: await declarePreview(ctx, await actorOf(ctx, req), req.params.id, req.query.sev) }),
  );
  app.get('/incidents/:id/war-room', { schema: { tags, params: IdParams } }, async (req) => ({ warRoom: await getWarRoom(ctx, await actorOf(ctx, req), req.params.id) }));
  app.post('/incidents/:id/severity', { schema: { tags, params: IdParams, body: Type.Object({ sev: Type.String({ minLength: 1, maxLength: 50 }) }, { additionalProperties: false }) } }, async (req) => ({
    incident: await setSeverity(ctx, await actorOf(ctx, req), req.params.id, req.body.sev, via(req)),
  }));
  app.post(
    '/incidents/:id/roles',
    { schema: { tags, params: IdParams, body: Type.Object({ role: Type.String({ minLength: 1, maxLength: 30 }), user: Type.String({ minLength: 1, maxLength: 320 }) }, { additionalProperties: false }) } },
    async (req) => ({ warRoom: await assignRole(ctx, await actorOf(ctx, req), req.params.id, req.body.role, req.body.user, via(req)) }),
  );
  app.post('/incidents/:id/page', { schema: { tags, params: IdParams, body: Type.Object({ target: Type.String({ minLength: 1, maxLength: 320 }) }, { additionalProperties: false }) } }, async (req) =>
    pageInto(ctx, await actorOf(ctx, req), req.params.id, req.body.target, via(req)),
  );
  app.put('/incidents/:id/bridge', { schema: { tags, params: IdParams, body: Type.Object({ url: Type.Union([Type.String({ maxLength: 2000 }), Type.Null()]) }, { additionalProperties: false }) } }, async (req) => ({
    warRoom: await setBridge(ctx, await actorOf(ctx, req), req.params.id, req.body.url, via(req)),
  }));
  app.put('/incidents/:id/impact', { schema: { tags, params: IdParams, body: ImpactInput, summary: 'Set the impact: affected services, customer-facing, business impact estimate' } }, async (req) => ({
    warRoom: await setImpact(ctx, await actorOf(ctx, req), req.params.id, req.body, via(req)),
  }));
  app.post('/incidents/:id/war-room/acknowledge', { schema: { tags, params: IdParams } }, async (req) => warRoomAck(ctx, await actorOf(ctx, req), req.params.id, via(req)));
  app.post('/incidents/:id/war-room/resolve', { schema: { tags, params: IdParams } }, async (req) => warRoomResolve(ctx, await actorOf(ctx, req), req.params.id, via(req)));
  app.post('/incidents/:id/updates', { schema: { tags, params: IdParams, body: Text } }, async (req, reply) => {
    await postUpdate(ctx, await actorOf(ctx, req), req.params.id, req.body.text, via(req));
    return reply.status(204).send();
  });
  app.post(
    '/incidents/:id/tasks',
    { schema: { tags, params: IdParams, body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 2000 }), owner: Type.Optional(Type.String({ minLength: 1, maxLength: 320 })) }, { additionalProperties: false }) } },
    async (req, reply) => reply.status(201).send(await addTask(ctx, await actorOf(ctx, req), req.params.id, req.body.text, req.body.owner ?? null, via(req))),
  );
  app.get('/incidents/:id/runbooks', { schema: { tags, params: IdParams } }, async (req) => ({ runbooks: await runbooksForIncident(ctx, await actorOf(ctx, req), req.params.id, via(req)) }));
  app.post(
    '/incidents/:id/actions/:name/run',
    { schema: { tags, params: Type.Object({ id: Type.String({ minLength: 1 }), name: Type.String({ minLength: 1, maxLength: 100 }) }), body: Type.Optional(Type.Object({ args: Type.Optional(Type.String({ maxLength: 2000 })) }, { additionalProperties: false })) } },
    async (req) => runAction(ctx, await actorOf(ctx, req), req.params.id, req.params.name, req.body?.args ?? '', via(req)),
  );
  app.post('/incidents/:id/commands', { schema: { tags, params: IdParams, body: Text, summary: 'Run a chat command (/ack, /sev 1, ...) without posting it to the chat' } }, async (req) => ({
    result: await runCommand(ctx, await actorOf(ctx, req), req.params.id, req.body.text, via(req)),
  }));

  app.get(
    '/incidents/:id/chat',
    { schema: { tags, params: IdParams, querystring: Type.Object({ priority: Type.Optional(Type.Boolean()), after: Type.Optional(Type.Integer({ minimum: 0 })), limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 2000 })) }, { additionalProperties: false }) } },
    async (req) => ({ messages: await listChat(ctx, await actorOf(ctx, req), req.params.id, req.query) }),
  );
  app.post('/incidents/:id/chat', { schema: { tags, params: IdParams, body: Type.Object({ text: Type.String({ minLength: 1, maxLength: 10_000 }), priority: Type.Optional(Type.Boolean()) }, { additionalProperties: false }) } }, async (req, reply) =>
    reply.status(201).send(await postChat(ctx, await actorOf(ctx, req), req.params.id, req.body, req.headers['x-klaxon-client'] === 'cli' ? 'cli' : 'web')),
  );
  app.post(
    '/chat/:id/receipts',
    { schema: { tags, params: IdParams, body: Type.Object({ state: Type.Union([Type.Literal('received'), Type.Literal('read')]) }, { additionalProperties: false }) } },
    async (req, reply) => {
      await markReceipt(ctx, await actorOf(ctx, req), req.params.id, req.body.state);
      return reply.status(204).send();
    },
  );
  app.post(
    '/incidents/:id/slack',
    { schema: { tags, params: IdParams, body: Type.Object({ channel: Type.Optional(Type.String({ maxLength: 40 })), create: Type.Optional(Type.Boolean()), name: Type.Optional(Type.String({ maxLength: 80 })) }, { additionalProperties: false }) } },
    async (req) => bridgeSlack(ctx, await actorOf(ctx, req), req.params.id, req.body, via(req)),
  );
  app.get('/incidents/:id/timeline.md', { schema: { tags, params: IdParams } }, async (req, reply) =>
    reply.type('text/markdown; charset=utf-8').send(await exportTimelineMarkdown(ctx, await actorOf(ctx, req), req.params.id)),
  );
  app.get('/incidents/:id/drill-summary', { schema: { tags, params: IdParams } }, async (req) => ({ summary: await drillSummary(ctx, await actorOf(ctx, req), req.params.id) }));

  app.get('/services/:id/runbooks', { schema: { tags, params: IdParams } }, async (req) => ({ runbooks: await listRunbooks(ctx, await actorOf(ctx, req), req.params.id) }));
  app.post('/runbooks', { schema: { tags, body: RunbookInput } }, async (req, reply) => reply.status(201).send({ runbook: await createRunbook(ctx, await actorOf(ctx, req), req.body) }));
  app.post('/runbooks/:id/review', { schema: { tags, params: IdParams } }, async (req) => ({ runbook: await reviewRunbook(ctx, await actorOf(ctx, req), req.params.id) }));
  app.get('/services/:id/actions', { schema: { tags, params: IdParams } }, async (req) => ({ actions: await listActions(ctx, await actorOf(ctx, req), req.params.id) }));
  app.post('/actions', { schema: { tags, body: ActionInput } }, async (req, reply) => reply.status(201).send({ action: await createAction(ctx, await actorOf(ctx, req), req.body) }));
}

/**
 * Slack into war rooms: the Events API (POST /integrations/v1/slack/events, JSON, url_verification
 * answered) and the `/klaxon` slash command (POST /integrations/v1/slack/commands, form). Every
 * request must carry a valid v0 signature no older than five minutes. Register in its own scope:
 * it replaces the JSON parser to keep the raw body Slack signs.
 */
export async function slackBridgeRoutes(app: App, deps: HttpDeps): Promise<void> {
  const { ctx } = deps;
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (req, body, done) => {
    req.rawBody = body as string;
    try {
      done(null, JSON.parse(body as string) as unknown);
    } catch {
      done(null, {});
    }
  });
  const verified = (req: FastifyRequest) => Boolean(deps.slackSigningSecret && verifySlackRequest(deps.slackSigningSecret, req.headers as Record<string, string | undefined>, req.rawBody ?? '', ctx.clock.now()));
  const refuse = { error: { code: 'forbidden', message: 'bad or stale Slack signature' } };

  app.post('/integrations/v1/slack/events', { schema: { hide: true } }, async (req, reply) => {
    if (!verified(req)) return reply.status(403).send(refuse);
    const body = req.body as SlackEventEnvelope & { challenge?: string };
    if (body.type === 'url_verification') return reply.status(200).send({ challenge: body.challenge ?? '' });
    await receiveSlackEvent(ctx, body);
    return reply.status(200).send({ ok: true });
  });
  app.post('/integrations/v1/slack/commands', { schema: { hide: true } }, async (req, reply) => {
    if (!verified(req)) return reply.status(403).send(refuse);
    const b = (req.body ?? {}) as Record<string, string>;
    const text = await receiveSlackCommand(ctx, { channelId: b.channel_id ?? '', userId: b.user_id ?? '', text: b.text ?? '' });
    return reply.status(200).send({ response_type: 'ephemeral', text });
  });
}
