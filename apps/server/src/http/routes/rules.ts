import * as C from '@klaxon/contract';
import { IdParams, NoContent } from '@klaxon/contract';
import * as rules from '../../rules/service.js';
import type { App, HttpDeps } from '../deps.js';
import { actorOf } from '../auth.js';

/** Event rules (docs/event-rules.md): CRUD, the catch-all service and the tester. */
export async function ruleRoutes(app: App, { ctx, ingest }: HttpDeps): Promise<void> {
  const tags = ['event rules'];
  const engine = ingest.rules;
  app.get('/event-rules', { schema: { tags, summary: "Every event rule, global first, in order, with this instance's counters", response: { 200: C.RulesAnswer } } }, async (req) => {
    const actor = await actorOf(ctx, req);
    return { rules: await rules.listRules(ctx, actor, engine), catchAllServiceId: await rules.getCatchAll(ctx, actor) };
  });
  app.post(
    '/event-rules',
    { schema: { tags, body: C.RuleInput, summary: 'Add a rule; a condition or template that does not compile is refused with 400', response: { 201: C.RuleAnswer } } },
    async (req, reply) => reply.status(201).send({ rule: await rules.createRule(ctx, await actorOf(ctx, req), engine, req.body) }),
  );
  app.get('/event-rules/:id', { schema: { tags, params: IdParams, response: { 200: C.RuleAnswer } } }, async (req) => ({
    rule: await rules.getRule(ctx, await actorOf(ctx, req), engine, req.params.id),
  }));
  app.patch('/event-rules/:id', { schema: { tags, params: IdParams, body: C.RulePatch, response: { 200: C.RuleAnswer } } }, async (req) => ({
    rule: await rules.updateRule(ctx, await actorOf(ctx, req), engine, req.params.id, req.body),
  }));
  app.delete('/event-rules/:id', { schema: { tags, params: IdParams, response: { 204: NoContent } } }, async (req, reply) => {
    await rules.deleteRule(ctx, await actorOf(ctx, req), engine, req.params.id);
    return reply.status(204).send();
  });
  app.put(
    '/event-rules/catch-all',
    { schema: { tags, body: C.CatchAllInput, summary: 'The service an alert goes to when a rule routes it to no existing service', response: { 200: C.CatchAllAnswer } } },
    async (req) => ({
      catchAllServiceId: await rules.setCatchAll(ctx, await actorOf(ctx, req), engine, req.body.serviceId),
    }),
  );
  app.post(
    '/event-rules/test',
    { schema: { tags, body: C.RuleTestInput, summary: 'Which rules match a payload sent to an integration and what would happen; creates nothing', response: { 200: C.RuleTestAnswer } } },
    async (req) => ({
      events: await rules.testRules(ctx, await actorOf(ctx, req), engine, req.body),
    }),
  );
}
