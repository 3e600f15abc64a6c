import { Type } from '@sinclair/typebox';
import * as C from '@klaxon/contract';
import { IdParams } from '@klaxon/contract';
import * as pm from '../../postmortem/service.js';
import type { App } from '../deps.js';
import { actorOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { validatedByService } from '../validated-by-service.js';

/** Postmortems: draft from the timeline, edit, review, action items, problem records, Markdown export. */
export async function postmortemRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  const tags = ['postmortems'];
  app.post(
    '/incidents/:id/postmortem',
    { schema: { tags, params: IdParams, summary: 'Generate the postmortem draft of a resolved incident', response: { 201: C.PostmortemAnswer } } },
    async (req, reply) => reply.status(201).send({ postmortem: await pm.createPostmortem(ctx, await actorOf(ctx, req), req.params.id) }),
  );
  app.get(
    '/incidents/:id/postmortem',
    {
      schema: {
        tags,
        params: IdParams,
        summary: "The incident's postmortem, or null when it has none yet (200 either way; 404 only for an unknown incident)",
        response: { 200: C.MaybePostmortemAnswer },
      },
    },
    async (req) => ({
      postmortem: await pm.getIncidentPostmortem(ctx, await actorOf(ctx, req), req.params.id),
    }),
  );
  app.get('/postmortems', { schema: { tags, querystring: C.PostmortemListQuery, response: { 200: C.PostmortemsAnswer } } }, async (req) => ({
    postmortems: await pm.listPostmortems(ctx, await actorOf(ctx, req), req.query),
  }));
  app.get('/postmortems/:id', { schema: { tags, params: IdParams, summary: 'A postmortem by its id or its incident id', response: { 200: C.PostmortemAnswer } } }, async (req) => ({
    postmortem: await pm.getPostmortem(ctx, await actorOf(ctx, req), req.params.id),
  }));
  app.patch(
    '/postmortems/:id',
    { schema: { tags, params: IdParams, body: C.PostmortemPatch, summary: 'Edit the title and Markdown sections', response: { 200: C.PostmortemAnswer } } },
    async (req) => ({ postmortem: await pm.updatePostmortem(ctx, await actorOf(ctx, req), req.params.id, req.body) }),
  );
  app.post(
    '/postmortems/:id/state',
    { schema: { tags, params: IdParams, body: C.StateInput, summary: 'Review: draft -> in_review -> published', response: { 200: C.PostmortemAnswer } } },
    async (req) => ({ postmortem: await pm.setPostmortemState(ctx, await actorOf(ctx, req), req.params.id, req.body) }),
  );
  app.get('/postmortems/:id/markdown', { schema: { tags, params: IdParams, summary: 'The postmortem as Markdown', response: { 200: C.MarkdownText } } }, async (req, reply) =>
    reply.header('content-type', 'text/markdown; charset=utf-8').send(await pm.exportPostmortemMarkdown(ctx, await actorOf(ctx, req), req.params.id)),
  );
  app.post('/postmortems/:id/action-items', { schema: { tags, params: IdParams, body: C.ActionItemInput, response: { 201: C.ActionItemAnswer } }, ...validatedByService }, async (req, reply) =>
    reply.status(201).send({ actionItem: await pm.addActionItem(ctx, await actorOf(ctx, req), req.params.id, req.body) }),
  );
  app.patch('/action-items/:id', { schema: { tags, params: IdParams, body: C.ActionItemInput, response: { 200: C.ActionItemAnswer } }, ...validatedByService }, async (req) => ({
    actionItem: await pm.updateActionItem(ctx, await actorOf(ctx, req), req.params.id, req.body),
  }));
  app.post(
    '/action-items/:id/problem',
    {
      schema: {
        tags,
        params: IdParams,
        body: Type.Optional(C.ProblemInput),
        summary: 'Hand over to problem management (links the external tracker when configured)',
        response: { 201: C.ActionItemAnswer },
      },
    },
    async (req, reply) => reply.status(201).send({ actionItem: await pm.createProblem(ctx, await actorOf(ctx, req), req.params.id, req.body ?? {}) }),
  );
  app.get(
    '/action-items',
    { schema: { tags, querystring: C.ActionItemListQuery, summary: 'Open action items (of a team), soonest due first', response: { 200: C.OpenActionItemsAnswer } } },
    async (req) => ({
      actionItems: await pm.openActionItems(ctx, await actorOf(ctx, req), req.query.team),
    }),
  );
}
