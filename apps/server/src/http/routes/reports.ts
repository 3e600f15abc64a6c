import * as C from '@klaxon/contract';
import type { FastifyReply } from 'fastify';
import { IdParams, NoContent } from '@klaxon/contract';
import { invalid } from '../../lib/errors.js';
import { toCsv } from '../../report/compute.js';
import * as reports from '../../report/service.js';
import { listSubscribers, subscribe, unsubscribe, weeklySummary, lastWeekStart } from '../../report/summary.js';
import { parseInstant } from '../../schedule/index.js';
import type { App } from '../deps.js';
import { actorOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { validatedByService } from '../validated-by-service.js';

/**
 * Answers JSON, or with ?format=csv one table of the answer (`table`, else `main`) as CSV. The CSV
 * answer is sent here; the reply is returned typed as the JSON body, as Fastify takes a returned reply
 * to mean "already sent" (the response schema applies to JSON only).
 */
function answer<B extends Record<string, unknown>>(reply: FastifyReply, q: { format?: string; table?: string }, body: B, main: string, single?: string[]): B {
  if (q.format !== 'csv') return body;
  const name = q.table ?? main;
  const v = body[name];
  if (!Array.isArray(v) && !(v && typeof v === 'object' && single?.includes(name)))
    throw invalid(
      `table: one of ${Object.keys(body)
        .filter((k) => Array.isArray(body[k]) || single?.includes(k))
        .join(', ')}`,
    );
  const rows = (Array.isArray(v) ? v : [v]) as Record<string, unknown>[];
  return reply.header('content-type', 'text/csv; charset=utf-8').header('content-disposition', `attachment; filename="klaxon-${main}-${name}.csv"`).send(toCsv(rows)) as unknown as B;
}

/** Reports: incident measures, SLA targets and attainment, aggregates, noise, shifts, trends, weekly summary. */
export async function reportRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  const tags = ['reports'];
  app.get(
    '/reports/incidents/:id/measures',
    { schema: { tags, params: IdParams, summary: 'Time to acknowledge, resolve, engage; escalations; pages per channel; who acknowledged', response: { 200: C.MeasuresAnswer } } },
    async (req) => ({
      measures: await reports.getIncidentMeasures(ctx, await actorOf(ctx, req), req.params.id),
    }),
  );

  app.get('/reports/sla-targets', { schema: { tags, summary: 'SLA targets per severity level (and service)', response: { 200: C.SlaTargetsAnswer } } }, async (req) => ({
    targets: await reports.listSlaTargets(ctx, await actorOf(ctx, req)),
  }));
  app.put(
    '/reports/sla-targets',
    { schema: { tags, body: C.SlaTargetInput, summary: 'Set the SLA target of a severity level (and optionally a service)', response: { 200: C.SlaTargetAnswer } }, ...validatedByService },
    async (req) => ({ target: await reports.putSlaTarget(ctx, await actorOf(ctx, req), req.body) }),
  );
  app.delete('/reports/sla-targets/:id', { schema: { tags, params: IdParams, response: { 204: NoContent } } }, async (req, reply) => {
    await reports.deleteSlaTarget(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });

  app.get(
    '/reports/sla',
    { schema: { tags, querystring: C.SlaQuery, summary: 'SLA attainment per period, with every breach (tables: periods, breaches, total)', response: { 200: C.SlaReport } } },
    async (req, reply) => answer(reply, req.query, await reports.slaAttainment(ctx, await actorOf(ctx, req), req.query), 'periods', ['total']),
  );
  app.get(
    '/reports/aggregates',
    {
      schema: { tags, querystring: C.AggregatesQuery, summary: 'Counts, MTTA, MTTR, p50/p90, noise by team, service, severity, responder, schedule or period', response: { 200: C.AggregatesReport } },
    },
    async (req, reply) => answer(reply, req.query, await reports.aggregates(ctx, await actorOf(ctx, req), req.query), 'rows', ['total']),
  );
  app.get(
    '/reports/noise',
    { schema: { tags, querystring: C.NoiseQuery, summary: 'Alerts per incident, resolved without action, flapping, top noisy services and alerts', response: { 200: C.NoiseReport } } },
    async (req, reply) => answer(reply, req.query, await reports.noise(ctx, await actorOf(ctx, req), req.query), 'topServices', ['summary']),
  );
  app.get(
    '/reports/shifts',
    {
      schema: {
        tags,
        querystring: C.ShiftsQuery,
        summary: 'Pages per responder by part of the week in their zone, MTTA by hour and shift, on-call hours and interruptions',
        response: { 200: C.ShiftsReport },
      },
    },
    async (req, reply) => answer(reply, req.query, await reports.shifts(ctx, await actorOf(ctx, req), req.query), 'pagesByResponder'),
  );
  app.get('/reports/trends', { schema: { tags, querystring: C.TrendsQuery, summary: 'Each measure week over week with the change', response: { 200: C.TrendsReport } } }, async (req, reply) =>
    answer(reply, req.query, await reports.trends(ctx, await actorOf(ctx, req), req.query), 'weeks'),
  );
  app.get(
    '/reports/weekly-summary',
    { schema: { tags, querystring: C.WeeklySummaryQuery, summary: "A team's weekly summary (default: last week), as emailed to subscribers", response: { 200: C.WeeklySummary } } },
    async (req, reply) => {
      const week = req.query.week === undefined ? lastWeekStart(ctx.clock.now()) : parseInstant(req.query.week, 'UTC');
      if (week === null) throw invalid('week: epoch ms or ISO date-time');
      return answer(reply, req.query, await weeklySummary(ctx, await actorOf(ctx, req), req.query.team, week), 'onCall', ['sla']);
    },
  );

  const Sub = C.ReportSubscriberInput;
  app.get('/teams/:id/report-subscribers', { schema: { tags, params: IdParams, response: { 200: C.ReportSubscribersAnswer } } }, async (req) => ({
    subscribers: await listSubscribers(ctx, await actorOf(ctx, req), req.params.id),
  }));
  app.post(
    '/teams/:id/report-subscribers',
    { schema: { tags, params: IdParams, body: Sub, summary: "Subscribe a user to the team's weekly report", response: { 204: NoContent } } },
    async (req, reply) => {
      await subscribe(ctx, await actorOf(ctx, req), req.params.id, req.body.userId);
      return reply.status(204).send();
    },
  );
  app.delete('/teams/:id/report-subscribers/:userId', { schema: { tags, params: C.ReportSubscriberParams, response: { 204: NoContent } } }, async (req, reply) => {
    await unsubscribe(ctx, await actorOf(ctx, req), req.params.id, req.params.userId);
    return reply.status(204).send();
  });
}
