import { Type } from '@sinclair/typebox';
import type { FastifyReply } from 'fastify';
import { AppError } from '../../lib/errors.js';
import { pageView, rendered, type PageData, type PageView } from '../../status/page.js';
import { renderAtom, renderNoticeHtml, renderRss, renderStatusHtml } from '../../status/render.js';
import * as status from '../../status/service.js';
import {
  activeMaintenancesJson,
  componentsJson,
  incidentsJson,
  scheduledMaintenancesJson,
  statusJson,
  summaryJson,
  unresolvedIncidentsJson,
  upcomingMaintenancesJson,
} from '../../status/statuspage.js';
import { findPage } from '../../status/store.js';
import * as C from '@klaxon/contract';
import { IdParams, NoContent } from '@klaxon/contract';
import type { App } from '../deps.js';
import { actorOf, viaOf } from '../auth.js';
import type { HttpDeps } from '../deps.js';
import { RateLimiter } from '../rate-limit.js';
import { must } from '../../lib/must.js';

/** Status API under /api/v1: business services, pages, templates, updates, subscriptions, maintenance, internal status. */
export async function statusApiRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  const tags = ['status'];
  app.get('/business-services', { schema: { tags, response: { 200: C.BusinessServicesAnswer } } }, async (req) => ({
    businessServices: await status.listBusinessServices(ctx, await actorOf(ctx, req)),
  }));
  app.post('/business-services', { schema: { tags, body: C.BusinessServiceInput, response: { 201: C.BusinessServiceAnswer } } }, async (req, reply) =>
    reply.status(201).send({ businessService: await status.createBusinessService(ctx, await actorOf(ctx, req), req.body) }),
  );
  app.put('/business-services/:id', { schema: { tags, params: IdParams, body: C.BusinessServiceInput, response: { 200: C.BusinessServiceAnswer } } }, async (req) => ({
    businessService: await status.updateBusinessService(ctx, await actorOf(ctx, req), req.params.id, req.body),
  }));
  app.delete('/business-services/:id', { schema: { tags, params: IdParams, response: { 204: NoContent } } }, async (req, reply) => {
    await status.deleteBusinessService(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });
  app.get('/incidents/:id/business-services', { schema: { tags, params: IdParams, summary: 'Business services an incident affects', response: { 200: C.BusinessServicesAnswer } } }, async (req) => ({
    businessServices: await status.incidentBusinessServices(ctx, await actorOf(ctx, req), req.params.id),
  }));
  app.get('/incidents/:id/status-updates', { schema: { tags, params: IdParams, response: { 200: C.StatusUpdatesAnswer } } }, async (req) => ({
    statusUpdates: await status.listStatusUpdates(ctx, await actorOf(ctx, req), req.params.id),
  }));
  app.post(
    '/incidents/:id/status-updates',
    { schema: { tags, params: IdParams, body: C.StatusUpdateInput, summary: 'Post a status update (public or internal)', response: { 201: C.StatusUpdateAnswer } } },
    async (req, reply) => reply.status(201).send({ statusUpdate: await status.postStatusUpdate(ctx, await actorOf(ctx, req), req.params.id, req.body, viaOf(req)) }),
  );
  app.get('/status-pages', { schema: { tags, response: { 200: C.StatusPagesAnswer } } }, async (req) => ({ statusPages: await status.listStatusPages(ctx, await actorOf(ctx, req)) }));
  app.put('/status-pages', { schema: { tags, body: C.StatusPageInput, summary: 'Create or replace a status page by slug', response: { 200: C.StatusPageAnswer } } }, async (req) => ({
    statusPage: await status.saveStatusPage(ctx, await actorOf(ctx, req), req.body),
  }));
  app.get('/status-templates', { schema: { tags, response: { 200: C.TemplatesAnswer } } }, async (req) => ({
    templates: (await status.listTemplates(ctx, await actorOf(ctx, req))) as C.StatusTemplate[],
  }));
  app.post('/status-templates', { schema: { tags, body: C.TemplateInput, response: { 201: C.TemplateAnswer } } }, async (req, reply) =>
    reply.status(201).send({ template: await status.createTemplate(ctx, await actorOf(ctx, req), req.body) }),
  );
  app.put('/severity-levels/:id/update-interval', { schema: { tags, params: IdParams, body: C.UpdateIntervalInput, response: { 204: NoContent } } }, async (req, reply) => {
    await status.setUpdateInterval(ctx, await actorOf(ctx, req), req.params.id, req.body.minutes);
    return reply.status(204).send();
  });
  app.get('/subscriptions', { schema: { tags, response: { 200: C.SubscriptionsAnswer } } }, async (req) => ({
    subscriptions: (await status.listSubscriptions(ctx, await actorOf(ctx, req))) as C.Subscription[],
  }));
  app.post('/subscriptions', { schema: { tags, body: C.SubscriptionInput, response: { 201: C.SubscriptionAnswer } } }, async (req, reply) =>
    reply.status(201).send({ subscription: (await status.subscribe(ctx, await actorOf(ctx, req), req.body)) as C.Subscription }),
  );
  app.delete('/subscriptions/:id', { schema: { tags, params: IdParams, response: { 204: NoContent } } }, async (req, reply) => {
    await status.deleteSubscription(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });
  app.get('/maintenance-windows', { schema: { tags, querystring: C.MaintenanceListQuery, response: { 200: C.MaintenanceWindowsAnswer } } }, async (req) => ({
    maintenanceWindows: await status.listMaintenance(ctx, await actorOf(ctx, req), { past: req.query.past === true }),
  }));
  app.post('/maintenance-windows', { schema: { tags, body: C.MaintenanceInput, response: { 201: C.MaintenanceWindowAnswer } } }, async (req, reply) =>
    reply.status(201).send({ maintenanceWindow: await status.createMaintenance(ctx, await actorOf(ctx, req), req.body) }),
  );
  app.delete('/maintenance-windows/:id', { schema: { tags, params: IdParams, response: { 204: NoContent } } }, async (req, reply) => {
    await status.cancelMaintenance(ctx, await actorOf(ctx, req), req.params.id);
    return reply.status(204).send();
  });
  app.get('/status/internal', { schema: { tags, summary: 'Major incidents running now: where to go', response: { 200: C.InternalStatusAnswer } } }, async (req) => ({
    incidents: (await status.internalStatus(ctx, await actorOf(ctx, req))) as C.InternalIncident[],
  }));
}

const SlugParams = Type.Object({ slug: Type.String({ pattern: '^[a-z0-9][a-z0-9-]{0,62}$' }) });
const TokenParams = Type.Object({ token: Type.String({ minLength: 10, maxLength: 200 }) });

/** Public status pages: /status and /status/<slug>, their feeds, Statuspage v2 JSON and subscription links. No sign-in. */
export async function statusPublicRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
  const limiter = new RateLimiter(ctx.clock);
  const hide = { hide: true };

  async function view(slug: string | null): Promise<PageView & { data: PageData }> {
    const v = await pageView(ctx.db.kysely, slug, ctx.clock.now());
    if (!v.data) throw new AppError('not_found', 'Status page not found');
    return v as PageView & { data: PageData };
  }
  const data = async (slug: string | null) => (await view(slug)).data;
  const text = (reply: FastifyReply, type: string, body: string) => reply.header('cache-control', 'public, max-age=5').type(type).send(body);
  const render = async (slug: string | null, name: string, fn: (d: PageData, u: string) => string) => {
    const v = await view(slug);
    return rendered(v, name, () => fn(v.data, ctx.publicUrl));
  };

  const pages = (prefix: string, slugOf: (p: unknown) => string | null, params?: typeof SlugParams) => {
    const schema = params ? { ...hide, params } : hide;
    app.get(prefix || '/status', { schema }, async (req, reply) => text(reply, 'text/html; charset=utf-8', await render(slugOf(req.params), 'html', renderStatusHtml)));
    app.get(`${prefix || '/status'}/feed.rss`, { schema }, async (req, reply) => text(reply, 'application/rss+xml; charset=utf-8', await render(slugOf(req.params), 'rss', renderRss)));
    app.get(`${prefix || '/status'}/feed.atom`, { schema }, async (req, reply) => text(reply, 'application/atom+xml; charset=utf-8', await render(slugOf(req.params), 'atom', renderAtom)));
    const json = (name: string, fn: (d: PageData, u: string) => unknown) =>
      app.get(`${prefix || '/status'}/api/v2/${name}.json`, { schema }, async (req, reply) =>
        reply
          .header('cache-control', 'public, max-age=5')
          .header('access-control-allow-origin', '*')
          .send(fn(await data(slugOf(req.params)), ctx.publicUrl)),
      );
    json('summary', summaryJson);
    json('status', statusJson);
    json('components', componentsJson);
    json('incidents', incidentsJson);
    json('incidents/unresolved', unresolvedIncidentsJson);
    json('scheduled-maintenances', scheduledMaintenancesJson);
    json('scheduled-maintenances/upcoming', upcomingMaintenancesJson);
    json('scheduled-maintenances/active', activeMaintenancesJson);
    app.post(`${prefix || '/status'}/subscribe`, { schema: { ...schema, body: Type.Object({ email: Type.String({ maxLength: 300 }) }) } }, async (req, reply) => {
      if (!limiter.take(`subscribe:${req.ip}`, 10)) throw new AppError('rate_limited', 'Too many subscription requests; try again in a minute');
      const slug = slugOf(req.params);
      await status.subscribeByEmail(ctx, slug, req.body.email);
      const d = await data(slug);
      return reply.type('text/html; charset=utf-8').send(renderNoticeHtml(d.page, ctx.publicUrl, 'Check your inbox', 'We sent you an email with a link to confirm your subscription.'));
    });
  };
  pages('', () => null);
  pages('/status/:slug', (p) => (p as { slug: string }).slug, SlugParams);

  const defaultPage = async () => must(await findPage(ctx.db.kysely, null), 'the default status page');
  // Mail scanners follow links with GET: GET shows a button, POST acts.
  app.get('/status/subscriptions/:token/confirm', { schema: { ...hide, params: TokenParams } }, async (req, reply) =>
    reply.type('text/html; charset=utf-8').send(
      renderNoticeHtml(await defaultPage(), ctx.publicUrl, 'Confirm your subscription', 'Press the button to start receiving status updates by email.', {
        action: req.url,
        button: 'Confirm subscription',
      }),
    ),
  );
  app.post('/status/subscriptions/:token/confirm', { schema: { ...hide, params: TokenParams } }, async (req, reply) => {
    const ok = await status.confirmSubscription(ctx, req.params.token);
    return reply
      .status(ok ? 200 : 404)
      .type('text/html; charset=utf-8')
      .send(renderNoticeHtml(await defaultPage(), ctx.publicUrl, ok ? 'Subscription confirmed' : 'Link not valid', ok ? 'You will receive status updates by email.' : 'This link is not valid.'));
  });
  app.get('/status/subscriptions/:token/unsubscribe', { schema: { ...hide, params: TokenParams } }, async (req, reply) =>
    reply
      .type('text/html; charset=utf-8')
      .send(renderNoticeHtml(await defaultPage(), ctx.publicUrl, 'Unsubscribe', 'Press the button to stop receiving status updates.', { action: req.url, button: 'Unsubscribe' })),
  );
  // RFC 8058: the mail client POSTs "List-Unsubscribe=One-Click" to this URL.
  app.post('/status/subscriptions/:token/unsubscribe', { schema: { ...hide, params: TokenParams } }, async (req, reply) => {
    const ok = await status.unsubscribe(ctx, req.params.token);
    return reply
      .status(ok ? 200 : 404)
      .type('text/html; charset=utf-8')
      .send(renderNoticeHtml(await defaultPage(), ctx.publicUrl, ok ? 'Unsubscribed' : 'Link not valid', ok ? 'You will not receive any more status updates.' : 'This link is not valid.'));
  });
}
