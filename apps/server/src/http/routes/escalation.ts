import * as policies from '../../escalation/service.js';
import { PolicyInput } from '../../escalation/types.js';
import type { App } from '../deps.js';
import { actorOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { IdParams } from './people.js';

/** Escalation policies. */
export async function policyRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  const tags = ['escalation'];
  app.get('/escalation-policies', { schema: { tags } }, async (req) => ({ escalationPolicies: await policies.listPolicies(ctx, await actorOf(ctx, req)) }));
  app.post('/escalation-policies', { schema: { tags, body: PolicyInput } }, async (req, reply) => reply.status(201).send({ escalationPolicy: await policies.createPolicy(ctx, await actorOf(ctx, req), req.body) }));
  app.get('/escalation-policies/:id', { schema: { tags, params: IdParams } }, async (req) => ({ escalationPolicy: await policies.getPolicy(ctx, await actorOf(ctx, req), req.params.id) }));
  app.put('/escalation-policies/:id', { schema: { tags, params: IdParams, body: PolicyInput } }, async (req) => ({ escalationPolicy: await policies.updatePolicy(ctx, await actorOf(ctx, req), req.params.id, req.body) }));
  app.delete('/escalation-policies/:id', { schema: { tags, params: IdParams } }, async (req, reply) => {
    await policies.deletePolicy(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });
}
