import { Type } from '@sinclair/typebox';
import * as services from '../../service/service.js';
import { IntegrationInput, ServiceInput } from '../../service/types.js';
import type { App } from '../deps.js';
import { actorOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { IdParams } from './people.js';

/** Services and their integrations. */
export async function serviceRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  const tags = ['services'];
  app.get('/services', { schema: { tags } }, async (req) => ({ services: await services.listServices(ctx, await actorOf(ctx, req)) }));
  app.post('/services', { schema: { tags, body: ServiceInput } }, async (req, reply) => reply.status(201).send({ service: await services.createService(ctx, await actorOf(ctx, req), req.body) }));
  app.get('/services/:id', { schema: { tags, params: IdParams } }, async (req) => ({ service: await services.getService(ctx, await actorOf(ctx, req), req.params.id) }));
  app.put('/services/:id', { schema: { tags, params: IdParams, body: ServiceInput } }, async (req) => ({ service: await services.updateService(ctx, await actorOf(ctx, req), req.params.id, req.body) }));
  app.delete('/services/:id', { schema: { tags, params: IdParams } }, async (req, reply) => {
    await services.deleteService(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });
  app.get('/services/:id/integrations', { schema: { tags, params: IdParams } }, async (req) => {
    const actor = await actorOf(ctx, req);
    const s = await services.getService(ctx, actor, req.params.id);
    return { integrations: await services.listIntegrations(ctx, actor, s.id) };
  });
  app.post('/services/:id/integrations', { schema: { tags, params: IdParams, body: IntegrationInput, summary: 'Create an integration; its key is shown once' } }, async (req, reply) =>
    reply.status(201).send({ integration: await services.createIntegration(ctx, await actorOf(ctx, req), req.params.id, req.body) }),
  );
  app.patch(
    '/integrations/:id',
    {
      schema: {
        tags,
        params: IdParams,
        body: Type.Object(
          {
            key: Type.Optional(Type.String({ minLength: 16, maxLength: 200, pattern: '^[A-Za-z0-9_\\-.]+$' })),
            signingSecret: Type.Optional(Type.Union([Type.String({ minLength: 8, maxLength: 200 }), Type.Null()])),
            rateLimitPerMinute: Type.Optional(Type.Union([Type.Integer({ minimum: 1, maximum: 1_000_000 }), Type.Null()])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => ({ integration: await services.updateIntegration(ctx, await actorOf(ctx, req), req.params.id, req.body) }),
  );
  app.delete('/integrations/:id', { schema: { tags, params: IdParams } }, async (req, reply) => {
    await services.deleteIntegration(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });
}
