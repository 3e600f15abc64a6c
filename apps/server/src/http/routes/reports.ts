import { Type } from '@sinclair/typebox';
import { invalid } from '../../lib/errors.js';
import { toCsv } from '../../report/compute.js';
import * as reports from '../../report/service.js';
import { listSubscribers, subscribe, unsubscribe, weeklySummary, lastWeekStart } from '../../report/summary.js';
import { SlaTargetInput } from '../../report/types.js';
import { parseInstant } from '../../schedule/index.js';
import type { App } from '../deps.js';
import { actorOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { validatedByService } from '../validated-by-service.js';
import { IdParams } from './people.js';

const Instant = Type.String({ maxLength: 40, description: 'Epoch ms or ISO date-time with offset' });
const common = {
  from: Type.Optional(Instant),
  to: Type.Optional(Instant),
  team: Type.Optional(Type.String({ maxLength: 200, description: 'Team id or name' })),
  service: Type.Optional(Type.String({ maxLength: 200, description: 'Service id or name' })),
  severity: Type.Optional(Type.String({ maxLength: 50, description: 'Severity level (SEV1..) or alert severity' })),
  drills: Type.Optional(Type.Boolean({ description: 'Include drills (left out by default)' })),
  tz: Type.Optional(Type.String({ maxLength: 60, description: 'IANA zone for day/week/month periods (default UTC)' })),
  format: Type.Optional(Type.Union([Type.Literal('json'), Type.Literal('csv')])),
  table: Type.Optional(Type.String({ maxLength: 40, description: 'With format=csv: which table of the answer (default: the main one)' })),
};
const Period = Type.Union([Type.Literal('day'), Type.Literal('week'), Type.Literal('month')]);

/** Answers JSON, or with ?format=csv one table of the answer (`table`, else `main`) as CSV. */
function answer(reply: any, q: { format?: string; table?: string }, body: Record<string, unknown>, main: string, single?: string[]) {
  if (q.format !== 'csv') return body;
  const name = q.table ?? main;
  const v = body[name];
  if (!Array.isArray(v) && !(v && typeof v === 'object' && single?.includes(name))) throw invalid(`table: one of ${Object.keys(body).filter((k) => Array.isArray(body[k]) || single?.includes(k)).join(', ')}`);
  const rows = (Array.isArray(v) ? v : [v]) as Record<string, unknown>[];
  return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="klaxon-${main}-${name}.csv"`).send(toCsv(rows));
}

/** Reports: incident measures, SLA targets and attainment, aggregates, noise, shifts, trends, weekly summary. */
export async function reportRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  const tags = ['reports'];
  app.get('/reports/incidents/:id/measures', { schema: { tags, params: IdParams, summary: 'Time to acknowledge, resolve, engage; escalations; pages per channel; who acknowledged' } }, async (req) => ({
    measures: await reports.getIncidentMeasures(ctx, await actorOf(ctx, req), req.params.id),
  }));

  app.get('/reports/sla-targets', { schema: { tags, summary: 'SLA targets per severity level (and service)' } }, async (req) => ({ targets: await reports.listSlaTargets(ctx, await actorOf(ctx, req)) }));
  app.put('/reports/sla-targets', { schema: { tags, body: SlaTargetInput, summary: 'Set the SLA target of a severity level (and optionally a service)' }, ...validatedByService }, async (req) => ({ target: await reports.putSlaTarget(ctx, await actorOf(ctx, req), req.body) }));
  app.delete('/reports/sla-targets/:id', { schema: { tags, params: IdParams } }, async (req, reply) => {
    await reports.deleteSlaTarget(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });

  app.get('/reports/sla', { schema: { tags, querystring: Type.Object({ ...common, period: Type.Optional(Period) }, { additionalProperties: false }), summary: 'SLA attainment per period, with every breach (tables: periods, breaches, total)' } }, async (req, reply) =>
    answer(reply, req.query, await reports.slaAttainment(ctx, await actorOf(ctx, req), req.query), 'periods', ['total']),
  );
  app.get(
    '/reports/aggregates',
    { schema: { tags, querystring: Type.Object({ ...common, by: Type.Optional(Type.Union(reports.GROUP_BYS.map((b) => Type.Literal(b)))) }, { additionalProperties: false }), summary: 'Counts, MTTA, MTTR, p50/p90, noise by team, service, severity, responder, schedule or period' } },
    async (req, reply) => answer(reply, req.query, await reports.aggregates(ctx, await actorOf(ctx, req), req.query), 'rows', ['total']),
  );
  app.get('/reports/noise', { schema: { tags, querystring: Type.Object({ ...common, flapMinutes: Type.Optional(Type.Integer({ minimum: 1, maximum: 1440 })) }, { additionalProperties: false }), summary: 'Alerts per incident, resolved without action, flapping, top noisy services and alerts' } }, async (req, reply) =>
    answer(reply, req.query, await reports.noise(ctx, await actorOf(ctx, req), req.query), 'topServices', ['summary']),
  );
  app.get('/reports/shifts', { schema: { tags, querystring: Type.Object({ ...common, schedule: Type.Optional(Type.String({ maxLength: 200 })) }, { additionalProperties: false }), summary: 'Pages per responder by part of the week in their zone, MTTA by hour and shift, on-call hours and interruptions' } }, async (req, reply) =>
    answer(reply, req.query, await reports.shifts(ctx, await actorOf(ctx, req), req.query), 'pagesByResponder'),
  );
  app.get('/reports/trends', { schema: { tags, querystring: Type.Object({ ...common, weeks: Type.Optional(Type.Integer({ minimum: 1, maximum: 104 })) }, { additionalProperties: false }), summary: 'Each measure week over week with the change' } }, async (req, reply) =>
    answer(reply, req.query, await reports.trends(ctx, await actorOf(ctx, req), req.query), 'weeks'),
  );
  app.get(
    '/reports/weekly-summary',
    { schema: { tags, querystring: Type.Object({ team: Type.String({ minLength: 1, maxLength: 200 }), week: Type.Optional(Instant), format: common.format, table: common.table }, { additionalProperties: false }), summary: 'A team\'s weekly summary (default: last week), as emailed to subscribers' } },
    async (req, reply) => {
      const week = req.query.week === undefined ? lastWeekStart(ctx.clock.now()) : parseInstant(req.query.week, 'UTC');
      if (week === null) throw invalid('week: epoch ms or ISO date-time');
      return answer(reply, req.query, await weeklySummary(ctx, await actorOf(ctx, req), req.query.team, week), 'onCall', ['sla']);
    },
  );

  const Sub = Type.Object({ userId: Type.String({ minLength: 1, maxLength: 100 }) }, { additionalProperties: false });
  app.get('/teams/:id/report-subscribers', { schema: { tags, params: IdParams } }, async (req) => ({ subscribers: await listSubscribers(ctx, await actorOf(ctx, req), req.params.id) }));
  app.post('/teams/:id/report-subscribers', { schema: { tags, params: IdParams, body: Sub, summary: 'Subscribe a user to the team\'s weekly report' } }, async (req, reply) => {
    await subscribe(ctx, await actorOf(ctx, req), req.params.id, req.body.userId);
    return reply.status(204).send();
  });
  app.delete('/teams/:id/report-subscribers/:userId', { schema: { tags, params: Type.Object({ id: Type.String({ maxLength: 200 }), userId: Type.String({ maxLength: 100 }) }) } }, async (req, reply) => {
    await unsubscribe(ctx, await actorOf(ctx, req), req.params.id, req.params.userId);
    return reply.status(204).send();
  });
}
