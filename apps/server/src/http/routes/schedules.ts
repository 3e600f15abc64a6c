import * as C from '@klaxon/contract';
import { AtQuery, IcalFileParams as FileParams, IdParams, NoContent, RangeQuery } from '@klaxon/contract';
import * as schedules from '../../schedule/service.js';
import { AppError } from '../../lib/errors.js';
import type { App } from '../deps.js';
import { actorOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { RateLimiter } from '../rate-limit.js';
import { must } from '../../lib/must.js';

/** Requests a minute per client address to the public iCal URLs. */
const ICAL_PER_MINUTE = 120;

/** On-call schedules, overrides, swaps, leave, on-call questions and reports, and iCal feeds. */
export async function scheduleRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  const tags = ['schedules'];
  app.get('/schedules', { schema: { tags, response: { 200: C.SchedulesAnswer } } }, async (req) => ({ schedules: (await schedules.listSchedules(ctx, await actorOf(ctx, req))) as C.Schedule[] }));
  app.post('/schedules', { schema: { tags, body: C.ScheduleInput, response: { 201: C.ScheduleAnswer } } }, async (req, reply) =>
    reply.status(201).send({ schedule: (await schedules.createSchedule(ctx, await actorOf(ctx, req), req.body)) as C.Schedule }),
  );
  app.get('/schedules/:id', { schema: { tags, params: IdParams, response: { 200: C.ScheduleAnswer } } }, async (req) => ({
    schedule: (await schedules.getSchedule(ctx, await actorOf(ctx, req), req.params.id)) as C.Schedule,
  }));
  app.put('/schedules/:id', { schema: { tags, params: IdParams, body: C.ScheduleInput, response: { 200: C.ScheduleAnswer } } }, async (req) => ({
    schedule: (await schedules.updateSchedule(ctx, await actorOf(ctx, req), req.params.id, req.body)) as C.Schedule,
  }));
  app.delete('/schedules/:id', { schema: { tags, params: IdParams, response: { 204: NoContent } } }, async (req, reply) => {
    await schedules.deleteSchedule(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });

  app.get('/oncall', { schema: { tags, querystring: AtQuery, summary: 'Who is on call for every schedule (now, or at ?at=)', response: { 200: C.OnCallAllAnswer } } }, async (req) => ({
    oncall: await schedules.listOnCall(ctx, await actorOf(ctx, req), req.query.at),
  }));
  app.get(
    '/schedules/:id/oncall',
    { schema: { tags, params: IdParams, querystring: AtQuery, summary: 'Who is on call (now, or at ?at=), from which layer or override, and until when', response: { 200: C.OnCallOneAnswer } } },
    async (req) => ({
      oncall: await schedules.getOnCall(ctx, await actorOf(ctx, req), req.params.id, req.query.at),
    }),
  );
  app.get(
    '/schedules/:id/final',
    { schema: { tags, params: IdParams, querystring: RangeQuery, summary: 'The final schedule over a range (default: the next 7 days)', response: { 200: C.FinalSchedule } } },
    async (req) => schedules.getFinalSchedule(ctx, await actorOf(ctx, req), req.params.id, req.query),
  );
  app.get(
    '/schedules/:id/gaps',
    { schema: { tags, params: IdParams, querystring: C.GapsQuery, summary: 'Coverage gaps in the next N days (default 14)', response: { 200: C.GapsAnswer } } },
    async (req) => schedules.getGaps(ctx, await actorOf(ctx, req), req.params.id, req.query.days),
  );

  app.get(
    '/schedules/:id/overrides',
    { schema: { tags, params: IdParams, querystring: RangeQuery, summary: 'Overrides overlapping a range (default: from now on)', response: { 200: C.OverridesAnswer } } },
    async (req) => ({
      overrides: await schedules.listOverrides(ctx, await actorOf(ctx, req), req.params.id, req.query),
    }),
  );
  app.post(
    '/schedules/:id/overrides',
    { schema: { tags, params: IdParams, body: C.OverrideInput, summary: 'Put exactly these people on call for a span', response: { 201: C.OverrideAnswer } } },
    async (req, reply) => reply.status(201).send({ override: await schedules.addOverride(ctx, await actorOf(ctx, req), req.params.id, req.body) }),
  );
  app.delete('/overrides/:id', { schema: { tags, params: IdParams, response: { 204: NoContent } } }, async (req, reply) => {
    await schedules.removeOverride(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });
  app.post('/schedules/:id/take', { schema: { tags, params: IdParams, body: C.TakeInput, summary: 'Take on-call now for N hours', response: { 201: C.OverrideAnswer } } }, async (req, reply) =>
    reply.status(201).send({ override: await schedules.takeOnCall(ctx, await actorOf(ctx, req), req.params.id, req.body) }),
  );

  app.get(
    '/schedules/:id/swaps',
    { schema: { tags, params: IdParams, querystring: C.SwapStatusQuery, summary: 'Swap requests (default: open ones)', response: { 200: C.SwapsAnswer } } },
    async (req) => ({
      swaps: await schedules.listSwaps(ctx, await actorOf(ctx, req), req.params.id, req.query.status),
    }),
  );
  app.post(
    '/schedules/:id/swaps',
    { schema: { tags, params: IdParams, body: C.SwapOfferInput, summary: 'Offer a span of your shifts for a teammate to take', response: { 201: C.SwapAnswer } } },
    async (req, reply) => reply.status(201).send({ swap: await schedules.offerSwap(ctx, await actorOf(ctx, req), req.params.id, req.body) }),
  );
  // The body ({ userId }, admins only) is optional, so the service validates it rather than Fastify.
  app.post(
    '/swaps/:id/take',
    { schema: { tags, params: IdParams, summary: 'Take an offered shift (creates overrides); optional body { userId } for admins', response: { 200: C.SwapTakenAnswer } } },
    async (req) => schedules.takeSwap(ctx, await actorOf(ctx, req), req.params.id, req.body ?? {}),
  );
  app.post('/swaps/:id/cancel', { schema: { tags, params: IdParams, summary: 'Withdraw an open offer', response: { 200: C.SwapAnswer } } }, async (req) => ({
    swap: await schedules.cancelSwap(ctx, await actorOf(ctx, req), req.params.id),
  }));

  app.get(
    '/users/:id/leave',
    { schema: { tags, params: IdParams, querystring: C.LeaveQuery, summary: 'Leave that has not ended (or ?all=true)', response: { 200: C.LeaveListAnswer } } },
    async (req) => ({
      leave: await schedules.listLeave(ctx, await actorOf(ctx, req), req.params.id, req.query.all === true),
    }),
  );
  app.post(
    '/users/:id/leave',
    { schema: { tags, params: IdParams, body: C.LeaveInput, summary: 'Record leave; local times are read in the user zone', response: { 201: C.LeaveAnswer } } },
    async (req, reply) => reply.status(201).send({ leave: await schedules.addLeave(ctx, await actorOf(ctx, req), req.params.id, req.body) }),
  );
  app.delete('/leave/:id', { schema: { tags, params: IdParams, response: { 204: NoContent } } }, async (req, reply) => {
    await schedules.removeLeave(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });
  app.get(
    '/users/:id/shifts',
    { schema: { tags, params: IdParams, querystring: RangeQuery, summary: "A user's shifts on every schedule (default: the next 28 days)", response: { 200: C.UserShiftsAnswer } } },
    async (req) => schedules.getUserShifts(ctx, await actorOf(ctx, req), req.params.id, req.query),
  );
  app.get(
    '/reports/oncall-load',
    {
      schema: {
        tags,
        querystring: C.OnCallLoadQuery,
        response: { 200: C.OnCallLoadAnswer },
        summary: "Hours on call per person (default: the last 30 days), split into business, evening, night and weekend in each person's zone",
      },
    },
    async (req) => schedules.getOnCallLoad(ctx, await actorOf(ctx, req), req.query),
  );

  app.post(
    '/users/:id/ical-secret',
    { schema: { tags, params: IdParams, summary: '(Re)generate your iCal feed URL; it is shown once and the old one stops working', response: { 201: C.IcalUrlAnswer } } },
    async (req, reply) => reply.status(201).send(await schedules.regenerateUserIcal(ctx, await actorOf(ctx, req), req.params.id)),
  );
  app.post(
    '/schedules/:id/ical-secret',
    { schema: { tags, params: IdParams, summary: '(Re)generate the schedule iCal feed URL; it is shown once and the old one stops working', response: { 201: C.IcalUrlAnswer } } },
    async (req, reply) => reply.status(201).send(await schedules.regenerateScheduleIcal(ctx, await actorOf(ctx, req), req.params.id)),
  );

  // Public, secret-bearing calendar URLs: no token (calendar apps cannot send one), rate-limited.
  const limiter = new RateLimiter(ctx.clock);
  for (const kind of ['user', 'schedule'] as const) {
    app.get(`/ical/${kind}s/:file`, { schema: { tags, params: FileParams, summary: `The iCalendar feed of a ${kind} (secret URL)`, response: { 200: C.CalendarText } } }, async (req, reply) => {
      if (!limiter.take(req.ip, ICAL_PER_MINUTE)) throw new AppError('rate_limited', 'Too many calendar requests; try again in a minute');
      const m = /^([A-Za-z0-9_-]{16,100})\.ics$/.exec(req.params.file);
      if (!m) throw new AppError('not_found', 'Calendar feed not found');
      const text = await schedules.icalFeed(ctx, kind, must(m[1], 'm[1]'));
      return reply
        .header('content-type', 'text/calendar; charset=utf-8')
        .header('content-disposition', `inline; filename="klaxon-${kind}.ics"`)
        .header('cache-control', 'private, max-age=300')
        .send(text);
    });
  }
}
