import { Type } from '@sinclair/typebox';
import * as C from '@klaxon/contract';
import { IdParams, NoContent } from '@klaxon/contract';
import type { FastifyRequest } from 'fastify';
import type { Via } from '../../auth/actor.js';
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
import { bridgeSlack } from '../../chat/slack/bridge.js';
import type { App } from '../deps.js';
import { actorOf, viaOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';

// A request from the web app (a session cookie) is via web, from the CLI via cli, else via api.
// Call after actorOf(), which is what recognizes the session.
const via = (req: FastifyRequest): Via => viaOf(req);
const Text = C.TextInput;

/** War rooms: severity levels, settings, declare, roles, chat, commands, runbooks, actions, Slack bridge, export, drill summary. */
export async function warRoomRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  const tags = ['war room'];
  app.get('/severity-levels', { schema: { tags, response: { 200: C.SeverityLevelsAnswer } } }, async (req) => ({ severityLevels: await listSeverityLevels(ctx, await actorOf(ctx, req)) }));
  app.patch('/severity-levels/:name', { schema: { tags, params: C.SevParams, body: C.SeverityLevelInput, response: { 200: C.SeverityLevelAnswer } } }, async (req) => ({
    severityLevel: await updateSeverityLevel(ctx, await actorOf(ctx, req), req.params.name, req.body),
  }));
  app.get('/war-room/settings', { schema: { tags, response: { 200: C.SettingsAnswer } } }, async (req) => ({ settings: await getSettings(ctx, await actorOf(ctx, req)) }));
  app.patch('/war-room/settings', { schema: { tags, body: C.WarRoomSettingsInput, response: { 200: C.SettingsAnswer } } }, async (req) => ({
    settings: await updateSettings(ctx, await actorOf(ctx, req), req.body),
  }));

  app.post(
    '/major-incidents',
    { schema: { tags, body: C.DeclareInput, summary: 'Declare a major incident (from an incident, or fresh) and open its war room', response: { 201: C.DeclareAnswer } } },
    async (req, reply) => reply.status(201).send(await declareMajor(ctx, await actorOf(ctx, req), req.body, via(req))),
  );
  app.get(
    '/incidents/:id/declare-preview',
    {
      schema: {
        tags,
        params: IdParams,
        querystring: C.SevQuery,
        summary: 'Who declaring this incident major would make incident manager and page (nothing is changed)',
        response: { 200: C.PreviewAnswer },
      },
    },
    async (req) => ({ preview: await declarePreview(ctx, await actorOf(ctx, req), req.params.id, req.query.sev) }),
  );
  app.get('/incidents/:id/war-room', { schema: { tags, params: IdParams, response: { 200: C.WarRoomAnswer } } }, async (req) => ({
    warRoom: await getWarRoom(ctx, await actorOf(ctx, req), req.params.id),
  }));
  app.post('/incidents/:id/severity', { schema: { tags, params: IdParams, body: C.SevInput, response: { 200: C.IncidentAnswer } } }, async (req) => ({
    incident: await setSeverity(ctx, await actorOf(ctx, req), req.params.id, req.body.sev, via(req)),
  }));
  app.post('/incidents/:id/roles', { schema: { tags, params: IdParams, body: C.RoleInput, response: { 200: C.WarRoomAnswer } } }, async (req) => ({
    warRoom: await assignRole(ctx, await actorOf(ctx, req), req.params.id, req.body.role, req.body.user, via(req)),
  }));
  app.post('/incidents/:id/page', { schema: { tags, params: IdParams, body: C.PageInput, response: { 200: C.PagedAnswer } } }, async (req) =>
    pageInto(ctx, await actorOf(ctx, req), req.params.id, req.body.target, via(req)),
  );
  app.put('/incidents/:id/bridge', { schema: { tags, params: IdParams, body: C.BridgeInput, response: { 200: C.WarRoomAnswer } } }, async (req) => ({
    warRoom: await setBridge(ctx, await actorOf(ctx, req), req.params.id, req.body.url, via(req)),
  }));
  app.put(
    '/incidents/:id/impact',
    { schema: { tags, params: IdParams, body: C.ImpactInput, summary: 'Set the impact: affected services, customer-facing, business impact estimate', response: { 200: C.WarRoomAnswer } } },
    async (req) => ({
      warRoom: await setImpact(ctx, await actorOf(ctx, req), req.params.id, req.body, via(req)),
    }),
  );
  app.post('/incidents/:id/war-room/acknowledge', { schema: { tags, params: IdParams, response: { 200: C.IncidentChangeAnswer } } }, async (req) =>
    warRoomAck(ctx, await actorOf(ctx, req), req.params.id, via(req)),
  );
  app.post('/incidents/:id/war-room/resolve', { schema: { tags, params: IdParams, response: { 200: C.IncidentChangeAnswer } } }, async (req) =>
    warRoomResolve(ctx, await actorOf(ctx, req), req.params.id, via(req)),
  );
  app.post('/incidents/:id/updates', { schema: { tags, params: IdParams, body: Text, response: { 204: NoContent } } }, async (req, reply) => {
    await postUpdate(ctx, await actorOf(ctx, req), req.params.id, req.body.text, via(req));
    return reply.status(204).send();
  });
  app.post('/incidents/:id/tasks', { schema: { tags, params: IdParams, body: C.TaskInput, response: { 201: C.TaskAnswer } } }, async (req, reply) =>
    reply.status(201).send(await addTask(ctx, await actorOf(ctx, req), req.params.id, req.body.text, req.body.owner ?? null, via(req))),
  );
  app.get('/incidents/:id/runbooks', { schema: { tags, params: IdParams, response: { 200: C.RunbooksAnswer } } }, async (req) => ({
    runbooks: await runbooksForIncident(ctx, await actorOf(ctx, req), req.params.id, via(req)),
  }));
  app.post('/incidents/:id/actions/:name/run', { schema: { tags, params: C.ActionRunParams, body: Type.Optional(C.ActionRunInput), response: { 200: C.ActionRunAnswer } } }, async (req) =>
    runAction(ctx, await actorOf(ctx, req), req.params.id, req.params.name, req.body?.args ?? '', via(req)),
  );
  app.post(
    '/incidents/:id/commands',
    { schema: { tags, params: IdParams, body: Text, summary: 'Run a chat command (/ack, /sev 1, ...) without posting it to the chat', response: { 200: C.CommandAnswer } } },
    async (req) => ({
      result: await runCommand(ctx, await actorOf(ctx, req), req.params.id, req.body.text, via(req)),
    }),
  );

  app.get('/incidents/:id/chat', { schema: { tags, params: IdParams, querystring: C.ChatQuery, response: { 200: C.ChatAnswer } } }, async (req) => ({
    messages: await listChat(ctx, await actorOf(ctx, req), req.params.id, req.query),
  }));
  app.post('/incidents/:id/chat', { schema: { tags, params: IdParams, body: C.ChatInput, response: { 201: C.ChatPostAnswer } } }, async (req, reply) =>
    reply.status(201).send(await postChat(ctx, await actorOf(ctx, req), req.params.id, req.body, req.headers['x-klaxon-client'] === 'cli' ? 'cli' : 'web')),
  );
  app.post('/chat/:id/receipts', { schema: { tags, params: IdParams, body: C.ReceiptInput, response: { 204: NoContent } } }, async (req, reply) => {
    await markReceipt(ctx, await actorOf(ctx, req), req.params.id, req.body.state);
    return reply.status(204).send();
  });
  app.post('/incidents/:id/slack', { schema: { tags, params: IdParams, body: C.SlackBridgeInput, response: { 200: C.SlackBridgeAnswer } } }, async (req) =>
    bridgeSlack(ctx, await actorOf(ctx, req), req.params.id, req.body, via(req)),
  );
  app.get('/incidents/:id/timeline.md', { schema: { tags, params: IdParams, response: { 200: C.MarkdownText } } }, async (req, reply) =>
    reply.type('text/markdown; charset=utf-8').send(await exportTimelineMarkdown(ctx, await actorOf(ctx, req), req.params.id)),
  );
  app.get('/incidents/:id/drill-summary', { schema: { tags, params: IdParams, response: { 200: C.DrillSummaryAnswer } } }, async (req) => ({
    summary: await drillSummary(ctx, await actorOf(ctx, req), req.params.id),
  }));

  app.get('/services/:id/runbooks', { schema: { tags, params: IdParams, response: { 200: C.RunbooksAnswer } } }, async (req) => ({
    runbooks: await listRunbooks(ctx, await actorOf(ctx, req), req.params.id),
  }));
  app.post('/runbooks', { schema: { tags, body: C.RunbookInput, response: { 201: C.RunbookAnswer } } }, async (req, reply) =>
    reply.status(201).send({ runbook: await createRunbook(ctx, await actorOf(ctx, req), req.body) }),
  );
  app.post('/runbooks/:id/review', { schema: { tags, params: IdParams, response: { 200: C.RunbookAnswer } } }, async (req) => ({
    runbook: await reviewRunbook(ctx, await actorOf(ctx, req), req.params.id),
  }));
  app.get('/services/:id/actions', { schema: { tags, params: IdParams, response: { 200: C.ActionsAnswer } } }, async (req) => ({
    actions: await listActions(ctx, await actorOf(ctx, req), req.params.id),
  }));
  app.post('/actions', { schema: { tags, body: C.ActionInput, response: { 201: C.ActionAnswer } } }, async (req, reply) =>
    reply.status(201).send({ action: await createAction(ctx, await actorOf(ctx, req), req.body) }),
  );
}
