import * as C from '@klaxon/contract';
import { IdParams } from '@klaxon/contract';
import * as incidents from '../../incident/service.js';
import { addIncidentResponder } from '../../warroom/service.js';
import { invalid } from '../../lib/errors.js';
import type { App } from '../deps.js';
import { actorOf, viaOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { must } from '../../lib/must.js';

/** Incidents: list, open by hand, acknowledge, resolve, reopen, escalate, timeline. */
export async function incidentRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  const tags = ['incidents'];
  app.get(
    '/incidents',
    {
      schema: {
        tags,
        querystring: C.IncidentListQuery,
        response: { 200: C.IncidentsAnswer },
      },
    },
    async (req) => {
      const q = req.query;
      const actor = await actorOf(ctx, req);
      if (q.mine && actor.type !== 'user') throw invalid('mine: only for a signed-in person or their token', [{ path: 'mine', message: 'not a person' }]);
      const list = await incidents.listIncidents(ctx, actor, {
        status: q.status,
        serviceId: q.service,
        limit: q.limit,
        before: q.before,
        severity: q.severity,
        sev: q.sev,
        teamId: q.team,
        q: q.q,
        assignee: q.assignee,
        since: q.since,
        until: q.until,
        ids: q.ids,
        drill: q.drill,
        level: q.level,
        acknowledgedBy: q.acknowledgedBy,
        acknowledged: q.acknowledged,
        mine: q.mine && actor.type !== 'system' ? actor.id : undefined,
      });
      return { incidents: list, next: list.length ? must(list[list.length - 1], 'list[list.length - 1]').number : null };
    },
  );
  app.post('/incidents', { schema: { tags, body: C.ManualIncidentInput, summary: 'Open an incident by hand', response: { 201: C.IncidentAnswer } } }, async (req, reply) =>
    reply.status(201).send({ incident: await incidents.createIncident(ctx, await actorOf(ctx, req), req.body, viaOf(req)) }),
  );
  app.get('/incidents/:id', { schema: { tags, params: IdParams, response: { 200: C.IncidentAnswer } } }, async (req) => ({
    incident: await incidents.getIncident(ctx, await actorOf(ctx, req), req.params.id),
  }));
  app.get('/incidents/:id/timeline', { schema: { tags, params: IdParams, response: { 200: C.TimelineAnswer } } }, async (req) => ({
    timeline: await incidents.getTimeline(ctx, await actorOf(ctx, req), req.params.id),
  }));
  app.get('/incidents/:id/alerts', { schema: { tags, params: IdParams, response: { 200: C.AlertsAnswer } } }, async (req) => ({
    alerts: (await incidents.listIncidentAlerts(ctx, await actorOf(ctx, req), req.params.id)) as C.Alert[],
  }));
  app.post(
    '/incidents/:id/reassign',
    {
      schema: {
        tags,
        params: IdParams,
        body: C.ReassignInput,
        summary: 'Reassign to a person (paged now) or to an escalation policy (restarts at level 1)',
        response: { 200: C.IncidentChangeAnswer },
      },
    },
    async (req) => incidents.reassign(ctx, await actorOf(ctx, req), req.params.id, req.body, viaOf(req)),
  );
  app.post(
    '/incidents/:id/reopen',
    {
      schema: {
        tags,
        params: IdParams,
        body: C.Nullable(C.ReopenInput),
        summary: 'Reopen a resolved incident: acknowledged (default), or triggered again from level 1 with escalate: true',
        response: { 200: C.IncidentChangeAnswer },
      },
    },
    async (req) => incidents.reopen(ctx, await actorOf(ctx, req), req.params.id, req.body ?? {}, viaOf(req)),
  );
  app.post(
    '/incidents/:id/snooze',
    {
      schema: {
        tags,
        params: IdParams,
        body: C.SnoozeInput,
        summary: 'Snooze: acknowledged, pages nobody for N minutes, then triggered again from where it was',
        response: { 200: C.IncidentChangeAnswer },
      },
    },
    async (req) => incidents.snooze(ctx, await actorOf(ctx, req), req.params.id, req.body, viaOf(req)),
  );
  app.post('/incidents/:id/notes', { schema: { tags, params: IdParams, body: C.NoteInput, summary: 'Add a note to the timeline', response: { 201: C.NoteAnswer } } }, async (req, reply) =>
    reply.status(201).send(await incidents.addNote(ctx, await actorOf(ctx, req), req.params.id, req.body, viaOf(req))),
  );
  app.post(
    '/incidents/:id/responders',
    { schema: { tags, params: IdParams, body: C.AddResponderInput, summary: 'Add a responder: paged now on their high-priority contact methods', response: { 200: C.ResponderAnswer } } },
    async (req) => addIncidentResponder(ctx, await actorOf(ctx, req), req.params.id, req.body, viaOf(req)),
  );
  app.post('/incidents/bulk', { schema: { tags, body: C.BulkInput, summary: 'Acknowledge, resolve or snooze many incidents: one result per id', response: { 200: C.BulkAnswer } } }, async (req) =>
    incidents.bulk(ctx, await actorOf(ctx, req), req.body, viaOf(req)),
  );
  for (const [path, verb] of [
    ['acknowledge', incidents.acknowledge],
    ['resolve', incidents.resolve],
    ['escalate', incidents.escalate],
  ] as const) {
    app.post(`/incidents/:id/${path}`, { schema: { tags, params: IdParams, response: { 200: C.IncidentChangeAnswer } } }, async (req) => {
      const actor = await actorOf(ctx, req);
      return verb(ctx, actor, req.params.id, viaOf(req));
    });
  }
}
