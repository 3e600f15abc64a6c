import Fastify, { LogController, type FastifyBaseLogger, type RawReplyDefaultExpression, type RawRequestDefaultExpression, type RawServerDefault } from 'fastify';
import { constants as zlibConstants } from 'node:zlib';
import compress from '@fastify/compress';
import formbody from '@fastify/formbody';
import swagger from '@fastify/swagger';
import websocket from '@fastify/websocket';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { Logger } from '../lib/logger.js';
import type { App, HttpDeps } from './deps.js';
import { errorBody, errorHandler } from './errors.js';
import { requestValidator } from './validation.js';
import { responseSerializer } from './serialization.js';
import { ErrorBody } from '@klaxon/contract';
import { LiveHub } from './live/hub.js';
import { registerSecurityHeaders } from './security-headers.js';
import { liveRoutes } from './live/route.js';
import { authRoutes, registerSessionCookies } from './routes/auth.js';
import { ssoRoutes } from './routes/sso.js';
import { scimRoutes } from './routes/scim.js';
import { webApp } from './static.js';
import { healthRoutes } from './routes/health.js';
import { peopleRoutes } from './routes/people.js';
import { policyRoutes } from './routes/escalation.js';
import { serviceRoutes } from './routes/services.js';
import { scheduleRoutes } from './routes/schedules.js';
import { incidentRoutes } from './routes/incidents.js';
import { postmortemRoutes } from './routes/postmortems.js';
import { ruleRoutes } from './routes/rules.js';
import { reportRoutes } from './routes/reports.js';
import { auditRoutes } from './routes/audit.js';
import { warRoomRoutes } from './routes/warroom.js';
import { ingestRoutes } from './routes/ingest.js';
import { heartbeatApiRoutes, heartbeatCheckinRoutes } from './routes/heartbeats.js';
import { hotlineApiRoutes, hotlineVonageRoutes } from './routes/hotlines.js';
import { inboundRoutes } from './routes/inbound.js';
import { chatApiRoutes, chatInboundRoutes } from './routes/chat.js';
import { smsProviderRoutes } from './routes/sms-providers.js';
import { channelRoutes } from './routes/channels.js';
import { testRoutes } from './routes/test-hooks.js';
import { statusApiRoutes, statusPublicRoutes } from './routes/status.js';
import { migrationRoutes } from './routes/migration.js';
import { setupRoutes } from './routes/setup.js';
import { must } from '../lib/must.js';

export type { App } from './deps.js';

/** Builds the HTTP app: API, ingest endpoints, inbound provider webhooks, health and metrics. */
export async function buildHttp(deps: HttpDeps, log: Logger): Promise<App> {
  const app = Fastify<RawServerDefault, RawRequestDefaultExpression, RawReplyDefaultExpression, FastifyBaseLogger>({
    loggerInstance: log,
    // Per-request access logs cost throughput on the ingest path; errors are still logged.
    logController: new LogController({ disableRequestLogging: true }),
    // Signed action links carry their claims in the path.
    routerOptions: { maxParamLength: 1024 },
    bodyLimit: 1024 * 1024,
    trustProxy: deps.trustProxy ?? false,
  }).withTypeProvider<TypeBoxTypeProvider>();
  // Query strings coerced to the schema's types, bodies not (validation.ts).
  app.setValidatorCompiler(requestValidator());
  // Answers written as JSON.stringify writes them; checked against their schemas in tests (serialization.ts).
  app.setSerializerCompiler(responseSerializer(deps.checkResponses ?? false));
  // Every route that declares its answers answers errors in the one error shape (errors.ts).
  app.addHook('onRoute', (route) => {
    const response = route.schema?.response as Record<string, unknown> | undefined;
    if (response) must(route.schema, 'route.schema').response = { '4xx': ErrorBody, '5xx': ErrorBody, ...response };
  });

  app.setErrorHandler(errorHandler);
  await registerSecurityHeaders(app, deps.ctx.publicUrl);
  const web = webApp(deps.webDir);
  app.setNotFoundHandler((req, reply) => {
    if (web.fallback(req, reply)) return;
    void reply.status(404).send(errorBody('not_found', `No route for ${req.method} ${req.url.split('?')[0]}`));
  });
  await app.register(formbody);
  await registerSessionCookies(app, deps.ctx);
  await app.register(websocket, { options: { maxPayload: 64 * 1024 } });
  const hub = new LiveHub(deps.live ?? { subscribe: () => () => {} }, log);
  app.addHook('onClose', async () => hub.close());
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Klaxon API',
        version: '1',
        description:
          'Incident response: alerts, incidents, escalation, people. Authenticate with `Authorization: Bearer <API token>`, or in a browser with the `klaxon_session` cookie from /api/v1/auth/login plus `X-CSRF-Token` on POST/PUT/PATCH/DELETE.',
      },
      components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } } },
      security: [{ bearer: [] }],
    },
  });
  await healthRoutes(app, deps);
  // An engine-only instance (klaxon serve --role engine) answers health and metrics, nothing else.
  if (deps.role === 'engine') {
    app.get('/api/v1/openapi.json', { schema: { hide: true } }, async () => app.swagger());
    if (deps.test) await app.register(async (api) => testRoutes(api, must(deps.test, 'deps.test')), { prefix: '/api/v1' });
    return app;
  }
  await app.register(
    async (api) => {
      // API answers over 1 KB go out compressed (Brotli or gzip, as the client accepts): the incident list
      // and reports on a phone. Only under /api/v1: ingest answers are a few bytes and stay on the hot path.
      await api.register(compress, { global: true, threshold: 1024, encodings: ['br', 'gzip'], brotliOptions: { params: { [zlibConstants.BROTLI_PARAM_QUALITY]: 4 } } });
      api.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger());
      await authRoutes(api, deps);
      await ssoRoutes(api, deps);
      await liveRoutes(api, deps, hub);
      await peopleRoutes(api, deps);
      await policyRoutes(api, deps);
      await serviceRoutes(api, deps);
      await scheduleRoutes(api, deps);
      await incidentRoutes(api, deps);
      await reportRoutes(api, deps);
      await postmortemRoutes(api, deps);
      await ruleRoutes(api, deps);
      await warRoomRoutes(api, deps);
      await chatApiRoutes(api, deps);
      await statusApiRoutes(api, deps);
      await migrationRoutes(api, deps);
      await setupRoutes(api, deps);
      await heartbeatApiRoutes(api, deps);
      await hotlineApiRoutes(api, deps);
      await auditRoutes(api, deps);
      if (deps.test) await testRoutes(api, deps.test);
    },
    { prefix: '/api/v1' },
  );
  await app.register(async (scope) => ingestRoutes(scope, deps));
  await app.register(async (scope) => heartbeatCheckinRoutes(scope, deps));
  await app.register(async (scope) => inboundRoutes(scope, deps));
  await app.register(async (scope) => chatInboundRoutes(scope, deps));
  await app.register(async (scope) => hotlineVonageRoutes(scope, deps));
  // SMS and voice providers other than Twilio (own scope: raw JSON bodies, which they sign).
  await app.register(async (scope) => smsProviderRoutes(scope, deps));
  await app.register(async (scope) => channelRoutes(scope, deps));
  await app.register(async (scope) => statusPublicRoutes(scope, deps));
  await app.register(async (scope) => scimRoutes(scope, deps), { prefix: '/scim/v2' });
  await web.register(app);
  return app;
}
