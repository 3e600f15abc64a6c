import { Type } from '@sinclair/typebox';
import * as incidents from '../../incident/service.js';
import { AddResponderInput, BulkInput, ManualIncidentInput, NoteInput, ReassignInput, ReopenInput, SnoozeInput, type IncidentStatus } from '../../incident/types.js';
import { addIncidentResponder } from '../../warroom/service.js';
import { invalid } from '../../lib/errors.js';
import type { App } from '../deps.js';
import { actorOf, viaOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { IdParams } from './people.js';

const Status = Type.Union([Type.Literal('triggered'), Type.Literal('acknowledged'), Type.Literal('resolved')]);

/** Incidents: list, open by hand, acknowledge, resolve, reopen, escalate, timeline. */
export async function incidentRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  const tags = ['incidents'];
  app.get(
    '/incidents',
    {
      schema: {
        tags,
        querystring: Type.Object(
          {
            status: Type.Optional(Type.Array(Status, { maxItems: 3 })),
            service: Type.Optional(Type.String({ maxLength: 200, description: 'Service id or name' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 500 })),
            before: Type.Optional(Type.Integer({ minimum: 1, description: 'Cursor: incidents numbered below this' })),
            severity: Type.Optional(Type.String({ maxLength: 50, description: 'Alert severity: critical, error, warning, info' })),
            sev: Type.Optional(Type.String({ maxLength: 50, description: 'Declared severity level (SEV1..)' })),
            team: Type.Optional(Type.String({ maxLength: 200, description: "The service's team: id or name" })),
            q: Type.Optional(Type.String({ maxLength: 200, description: 'Text in the title (case-insensitive)' })),
            assignee: Type.Optional(Type.String({ maxLength: 200, description: 'User id or email: incident manager or acknowledger' })),
            since: Type.Optional(Type.String({ maxLength: 40, description: 'Created at or after: epoch ms or ISO date-time with offset (as reports take from)' })),
            until: Type.Optional(Type.String({ maxLength: 40, description: 'Created before: epoch ms or ISO date-time with offset (as reports take to)' })),
            ids: Type.Optional(Type.Array(Type.String({ maxLength: 100 }), { maxItems: 500, description: 'Only these incident ids' })),
            drill: Type.Optional(Type.Boolean({ description: 'true: only drills; false: no drills' })),
            level: Type.Optional(Type.String({ maxLength: 50, description: 'Severity as reports group it: the declared level when set, else the alert severity' })),
            acknowledgedBy: Type.Optional(Type.String({ maxLength: 200, description: 'User id or email of the acknowledger' })),
            acknowledged: Type.Optional(Type.Boolean({ description: 'true: acknowledged at some point; false: never' })),
            mine: Type.Optional(Type.Boolean({ description: 'true: only incidents that are mine: I manage or acknowledged it, its service is in one of my teams, or I was paged about it' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (req) => {
      const q = req.query;
      const actor = await actorOf(ctx, req);
      if (q.mine && actor.type !== 'user') throw invalid('mine: only for a signed-in person or their token', [{ path: 'mine', message: 'not a person' }]);
      const list = await incidents.listIncidents(ctx, actor, { status: q.status as IncidentStatus[] | undefined, serviceId: q.service, limit: q.limit, before: q.before, severity: q.severity, sev: q.sev, teamId: q.team, q: q.q, assignee: q.assignee, since: q.since, until: q.until, ids: q.ids, drill: q.drill, level: q.level, acknowledgedBy: q.acknowledgedBy, acknowledged: q.acknowledged, mine: q.mine && actor.type !== 'system' ? actor.id : undefined });
      return { incidents: list, next: list.length ? list[list.length - 1]!.number : null };
    },
  );
  app.post('/incidents', { schema: { tags, body: ManualIncidentInput, summary: 'Open an incident by hand' } }, async (req, reply) =>
    reply.status(201).send({ incident: await incidents.createIncident(ctx, await actorOf(ctx, req), req.body, viaOf(req)) }),
  );
  app.get('/incidents/:id', { schema: { tags, params: IdParams } }, async (req) => ({ incident: await incidents.getIncident(ctx, await actorOf(ctx, req), req.params.id) }));
  app.get('/incidents/:id/timeline', { schema: { tags, params: IdParams } }, async (req) => ({ timeline: await incidents.getTimeline(ctx, await actorOf(ctx, req), req.params.id) }));
  app.get('/incidents/:id/alerts', { schema: { tags, params: IdParams } }, async (req) => ({ alerts: await incidents.listIncidentAlerts(ctx, await actorOf(ctx, req), req.params.id) }));
  app.post('/incidents/:id/reassign', { schema: { tags, params: IdParams, body: ReassignInput, summary: 'Reassign to a person (paged now) or to an escalation policy (restarts at level 1)' } }, async (req) =>
    incidents.reassign(ctx, await actorOf(ctx, req), req.params.id, req.body, viaOf(req)),
  );
  app.post(
    '/incidents/:id/reopen',
    { schema: { tags, params: IdParams, body: Type.Union([ReopenInput, Type.Null()]), summary: 'Reopen a resolved incident: acknowledged (default), or triggered again from level 1 with escalate: true' } },
    async (req) => incidents.reopen(ctx, await actorOf(ctx, req), req.params.id, req.body ?? {}, viaOf(req)),
  );
  app.post('/incidents/:id/snooze', { schema: { tags, params: IdParams, body: SnoozeInput, summary: 'Snooze: acknowledged, pages nobody for N minutes, then triggered again from where it was' } }, async (req) =>
    incidents.snooze(ctx, await actorOf(ctx, req), req.params.id, req.body, viaOf(req)),
  );
  app.post('/incidents/:id/notes', { schema: { tags, params: IdParams, body: NoteInput, summary: 'Add a note to the timeline' } }, async (req, reply) =>
    reply.status(201).send(await incidents.addNote(ctx, await actorOf(ctx, req), req.params.id, req.body, viaOf(req))),
  );
  app.post('/incidents/:id/responders', { schema: { tags, params: IdParams, body: AddResponderInput, summary: 'Add a responder: paged now on their high-priority contact methods' } }, async (req) =>
    addIncidentResponder(ctx, await actorOf(ctx, req), req.params.id, req.body, viaOf(req)),
  );
  app.post('/incidents/bulk', { schema: { tags, body: BulkInput, summary: 'Acknowledge, resolve or snooze many incidents: one result per id' } }, async (req) =>
    incidents.bulk(ctx, await actorOf(ctx, req), req.body, viaOf(req)),
  );
  for (const [path, verb] of [
    ['acknowledge', incidents.acknowledge],
    ['resolve', incidents.resolve],
    ['escalate', incidents.escalate],
  ] as const) {
    app.post(`/incidents/:id/${path}`, { schema: { tags, params: IdParams } }, async (req) => {
      const actor = await actorOf(ctx, req);
      return verb(ctx, actor, req.params.id, viaOf(req));
    });
  }
}
