import * as C from '@klaxon/contract';
import { IdParams, NoContent } from '@klaxon/contract';
import * as services from '../../service/service.js';
import type { App } from '../deps.js';
import { actorOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';

/** Services and their integrations. */
export async function serviceRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  const tags = ['services'];
  app.get('/services', { schema: { tags, response: { 200: C.ServicesAnswer } } }, async (req) => ({ services: await services.listServices(ctx, await actorOf(ctx, req)) }));
  app.post('/services', { schema: { tags, body: C.ServiceInput, response: { 201: C.ServiceAnswer } } }, async (req, reply) =>
    reply.status(201).send({ service: await services.createService(ctx, await actorOf(ctx, req), req.body) }),
  );
  app.get('/services/:id', { schema: { tags, params: IdParams, response: { 200: C.ServiceAnswer } } }, async (req) => ({
    service: await services.getService(ctx, await actorOf(ctx, req), req.params.id),
  }));
  app.put('/services/:id', { schema: { tags, params: IdParams, body: C.ServiceInput, response: { 200: C.ServiceAnswer } } }, async (req) => ({
    service: await services.updateService(ctx, await actorOf(ctx, req), req.params.id, req.body),
  }));
  app.delete('/services/:id', { schema: { tags, params: IdParams, response: { 204: NoContent } } }, async (req, reply) => {
    await services.deleteService(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });
  app.get('/services/:id/integrations', { schema: { tags, params: IdParams, response: { 200: C.IntegrationsAnswer } } }, async (req) => {
    const actor = await actorOf(ctx, req);
    const s = await services.getService(ctx, actor, req.params.id);
    return { integrations: await services.listIntegrations(ctx, actor, s.id) };
  });
  app.post(
    '/services/:id/integrations',
    { schema: { tags, params: IdParams, body: C.IntegrationInput, summary: 'Create an integration; its key is shown once', response: { 201: C.IntegrationAnswer } } },
    async (req, reply) => reply.status(201).send({ integration: await services.createIntegration(ctx, await actorOf(ctx, req), req.params.id, req.body) }),
  );
  app.patch(
    '/integrations/:id',
    {
      schema: {
        tags,
        params: IdParams,
        body: C.IntegrationPatch,
        response: { 200: C.IntegrationAnswer },
      },
    },
    async (req) => ({ integration: await services.updateIntegration(ctx, await actorOf(ctx, req), req.params.id, req.body) }),
  );
  app.delete('/integrations/:id', { schema: { tags, params: IdParams, response: { 204: NoContent } } }, async (req, reply) => {
    await services.deleteIntegration(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });
}
