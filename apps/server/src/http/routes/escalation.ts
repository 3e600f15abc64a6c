import * as policies from '../../escalation/service.js';
import { incidentTrace } from '../../escalation/trace.js';
import * as C from '@klaxon/contract';
import { IdParams, NoContent } from '@klaxon/contract';
import type { App } from '../deps.js';
import { actorOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';

/** Escalation policies. */
export async function policyRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  const tags = ['escalation'];
  app.get('/escalation-policies', { schema: { tags, response: { 200: C.PoliciesAnswer } } }, async (req) => ({ escalationPolicies: await policies.listPolicies(ctx, await actorOf(ctx, req)) }));
  app.post('/escalation-policies', { schema: { tags, body: C.PolicyInput, response: { 201: C.PolicyAnswer } } }, async (req, reply) =>
    reply.status(201).send({ escalationPolicy: await policies.createPolicy(ctx, await actorOf(ctx, req), req.body) }),
  );
  app.get('/escalation-policies/:id', { schema: { tags, params: IdParams, response: { 200: C.PolicyAnswer } } }, async (req) => ({
    escalationPolicy: await policies.getPolicy(ctx, await actorOf(ctx, req), req.params.id),
  }));
  app.put('/escalation-policies/:id', { schema: { tags, params: IdParams, body: C.PolicyInput, response: { 200: C.PolicyAnswer } } }, async (req) => ({
    escalationPolicy: await policies.updatePolicy(ctx, await actorOf(ctx, req), req.params.id, req.body),
  }));
  app.get(
    '/incidents/:id/trace',
    {
      schema: {
        tags,
        params: IdParams,
        summary: "An incident's routing trace: alerts and raw payloads, event rules, escalation decisions, who was on call and why, notifications and their delivery",
        response: { 200: C.IncidentTraceAnswer },
      },
    },
    async (req) => ({
      trace: await incidentTrace(ctx, await actorOf(ctx, req), req.params.id),
    }),
  );
  app.delete('/escalation-policies/:id', { schema: { tags, params: IdParams, response: { 204: NoContent } } }, async (req, reply) => {
    await policies.deletePolicy(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });
}
