import { randomUUID } from 'node:crypto';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Actor } from '../../auth/actor.js';
import { recordChange } from '../../alert/service.js';
import { alertDedupKey } from '../../alert/store.js';
import type { AlertEvent, IngestResult } from '../../alert/types.js';
import {
  IngestError,
  parseAlertmanagerWebhook,
  parseGenericEvents,
  parseGenieKey,
  parseGrafanaWebhook,
  parseOpsgenieActionBody,
  parseOpsgenieCreate,
  parseOpsgenieIdentifier,
  parsePagerDutyChange,
  parsePagerDutyEvent,
  verifyGrafanaSignature,
} from '../../ingest/index.js';
import { DISK_FULL_MESSAGE, DISK_FULL_RETRY_AFTER_S, isDiskFull, writeHealth } from '../../lib/db/disk-full.js';
import { jsonDeeperThan, MAX_JSON_DEPTH, replaceNul } from '../../lib/json-depth.js';
import { eventsIngested, eventsRejected } from '../../lib/metrics.js';
import { signingSecretOf } from '../../service/service.js';
import { takeWatchdogCheckins } from '../../heartbeat/service.js';
import { IntegrationKeyCache } from '../../service/key-cache.js';
import type { Integration, Service } from '../../service/types.js';
import type { App } from '../deps.js';
import type { HttpDeps } from '../deps.js';
import { errorBody, toHttpError } from '../errors.js';
import { RateLimiter } from '../rate-limit.js';
import { must } from '../../lib/must.js';

const PD_LIMIT = 512 * 1024;
const BAD_JSON = Symbol('bad json');
const TOO_DEEP = Symbol('json too deep');
const TOO_DEEP_MESSAGE = `The request body nests arrays and objects more than ${MAX_JSON_DEPTH} levels deep`;

/** Vendor response shapes for one family of endpoints. */
interface Dialect {
  invalid(reply: FastifyReply, message: string, errors: string[]): FastifyReply;
  /** A body that cannot be read as JSON (syntax, or nested too deep): 400 in every vendor's API. */
  malformed(reply: FastifyReply, problem: string): FastifyReply;
  throttled(reply: FastifyReply): FastifyReply;
  tooLarge(reply: FastifyReply): FastifyReply;
  /** The server cannot store events now (a full disk): 503 with Retry-After, which every sender retries. */
  unavailable(reply: FastifyReply, message: string): FastifyReply;
}

const pagerduty: Dialect = {
  invalid: (reply, message, errors) => reply.status(400).send({ status: 'invalid event', message, errors }),
  malformed: (reply, problem) => reply.status(400).send({ status: 'invalid event', message: 'Event object is invalid', errors: [problem] }),
  throttled: (reply) => reply.status(429).send({ status: 'throttle event', message: 'Requests for this integration are arriving too quickly; retry later', errors: ['Rate limit exceeded'] }),
  tooLarge: (reply) => reply.status(413).send({ status: 'invalid event', message: 'Event object is too large', errors: [`The request body exceeds ${PD_LIMIT} bytes`] }),
  unavailable: (reply, message) =>
    retryLater(reply)
      .status(503)
      .send({ status: 'unavailable', message: "Event could not be stored: the server's disk is full; retry later", errors: [message] }),
};

const opsgenie: Dialect = {
  invalid: (reply, message, errors) => reply.status(422).send({ message: errors.length ? `${message}: ${errors.join('; ')}` : message, took: 0, requestId: randomUUID() }),
  // Opsgenie answers 400 for a body that is not valid JSON ("Bad Request (Syntax Error only)"), 422 for the rest.
  malformed: (reply, problem) => reply.status(400).send({ message: problem, took: 0, requestId: randomUUID() }),
  throttled: (reply) => reply.status(429).send({ message: 'Too many requests', took: 0, requestId: randomUUID() }),
  tooLarge: (reply) => reply.status(413).send({ message: 'Request body is too large', took: 0, requestId: randomUUID() }),
  unavailable: (reply, message) => retryLater(reply).status(503).send({ message, took: 0, requestId: randomUUID() }),
};

const klaxon: Dialect = {
  invalid: (reply, message, errors) =>
    reply.status(400).send(
      errorBody(
        'invalid',
        errors.length ? `${message}: ${errors.join('; ')}` : message,
        errors.map((e) => ({ message: e })),
      ),
    ),
  malformed: (reply, problem) => reply.status(400).send(errorBody('invalid', problem)),
  throttled: (reply) => reply.status(429).send(errorBody('rate_limited', 'Too many events for this integration; retry later')),
  tooLarge: (reply) => reply.status(413).send(errorBody('payload_too_large', 'The request body is too large')),
  unavailable: (reply, message) => retryLater(reply).status(503).send(errorBody('unavailable', message)),
};

function retryLater(reply: FastifyReply): FastifyReply {
  return reply.header('retry-after', String(DISK_FULL_RETRY_AFTER_S));
}

function dialectFor(url: string): Dialect {
  return url.startsWith('/v2/alerts') ? opsgenie : url.startsWith('/v2/') ? pagerduty : klaxon;
}

/**
 * Ingest endpoints: PagerDuty Events API v2, Opsgenie Alert API, and /integrations/v1/{kind}/{key}
 * for Alertmanager, Grafana and generic JSON. Each parses with its adapter and calls the one alert
 * verb; vendor endpoints answer in their vendor's shape, so existing clients work unchanged.
 */
export async function ingestRoutes(app: App, deps: HttpDeps): Promise<void> {
  const { ctx, ingest } = deps;
  const limiter = new RateLimiter(ctx.clock);
  const keys = new IntegrationKeyCache(ctx.clock);
  // Configuration changes made on this instance are seen by ingest at once; other instances within the TTL.
  deps.onConfigChange?.(() => keys.clear());
  const findIntegrationByKey = (key: string) => keys.find(ctx.db.kysely, key);

  // Any content type is read as JSON text (some senders omit or mislabel it); the raw text is kept for signatures.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'string', bodyLimit: 1024 * 1024 }, (req, body, done) => {
    req.rawBody = body as string;
    if (!(body as string).trim()) return done(null, BAD_JSON);
    // Nested thousands of levels deep, a body parses but overflows the stack of what walks it: refuse it first.
    if (jsonDeeperThan(body as string, MAX_JSON_DEPTH)) return done(null, TOO_DEEP);
    try {
      // A NUL in a string becomes U+FFFD: PostgreSQL's text cannot hold it, and the alert must not be lost for it.
      done(null, JSON.parse(replaceNul(body as string)));
    } catch {
      done(null, BAD_JSON);
    }
  });
  // Every ingest route answers a body nested too deep before anything reads it, in its vendor's shape.
  app.addHook('preHandler', async (req, reply) => {
    if (req.body === TOO_DEEP) return dialectFor(req.url).malformed(reply, TOO_DEEP_MESSAGE);
  });
  app.setErrorHandler((err, req, reply) => {
    const d = dialectFor(req.url);
    const { status, body } = toHttpError(err);
    if (status === 413) return d.tooLarge(reply);
    if (isDiskFull(err)) {
      // Logged with the database's own error (SQLITE_FULL, ENOSPC, 53100); /readyz turns unready until a write succeeds.
      writeHealth(ctx.db.location).failed(err);
      req.log.error({ err }, 'ingest could not store events: the database disk is full');
      return d.unavailable(reply, DISK_FULL_MESSAGE);
    }
    if (status >= 500) {
      req.log.error({ err }, 'ingest failed');
      return reply.status(status).send(body);
    }
    return d.invalid(reply, body.error.message, []);
  });

  function actorFor(integration: Integration, service: Service): Actor {
    return { type: 'integration', id: integration.id, name: integration.name, serviceId: service.id };
  }

  function limited(d: Dialect, reply: FastifyReply, integration: Integration, n: number): boolean {
    const perMinute = integration.settings.rateLimitPerMinute ?? deps.defaultRateLimitPerMinute;
    if (limiter.take(integration.id, perMinute, Math.max(1, n))) return false;
    eventsRejected.inc({ kind: integration.kind, reason: 'rate_limited' });
    d.throttled(reply);
    return true;
  }

  async function accept(integration: Integration, service: Service, events: AlertEvent[]): Promise<IngestResult[]> {
    const results = await ingest.ingest(actorFor(integration, service), { integration, service, events });
    for (const r of results) eventsIngested.inc({ kind: integration.kind, outcome: r.outcome });
    return results;
  }

  function parseWith<T>(d: Dialect, reply: FastifyReply, kind: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      if (e instanceof IngestError) {
        eventsRejected.inc({ kind, reason: 'invalid' });
        d.invalid(reply, e.message, e.errors);
        return undefined;
      }
      throw e;
    }
  }

  // PagerDuty Events API v2.
  app.post('/v2/enqueue', { bodyLimit: PD_LIMIT, schema: { hide: true } }, async (req, reply) => {
    if (req.body === BAD_JSON) return pagerduty.invalid(reply, 'Event object is invalid', ['The request body is not valid JSON']);
    const parsed = parseWith(pagerduty, reply, 'pagerduty', () => parsePagerDutyEvent(req.body));
    if (!parsed) return reply;
    const found = await findIntegrationByKey(parsed.routingKey);
    if (!found) return pagerduty.invalid(reply, 'Event object is invalid', ["'routing_key' does not match any integration"]);
    if (limited(pagerduty, reply, found.integration, 1)) return reply;
    // The routing key is a credential: keep the raw payload without it.
    const event = { ...parsed.event, raw: { ...(parsed.event.raw as object), routing_key: `…${parsed.routingKey.slice(-4)}` } };
    const [r] = await accept(found.integration, found.service, [event]);
    return reply.status(202).send({ status: 'success', message: 'Event processed', dedup_key: must(r, 'r').dedupKey });
  });

  app.post('/v2/change/enqueue', { bodyLimit: PD_LIMIT, schema: { hide: true } }, async (req, reply) => {
    if (req.body === BAD_JSON) return pagerduty.invalid(reply, 'Event object is invalid', ['The request body is not valid JSON']);
    const parsed = parseWith(pagerduty, reply, 'pagerduty', () => parsePagerDutyChange(req.body));
    if (!parsed) return reply;
    const found = await findIntegrationByKey(parsed.routingKey);
    if (!found) return pagerduty.invalid(reply, 'Event object is invalid', ["'routing_key' does not match any integration"]);
    if (limited(pagerduty, reply, found.integration, 1)) return reply;
    await recordChange(ctx, actorFor(found.integration, found.service), { integration: found.integration, service: found.service, change: parsed.change });
    return reply.status(202).send({ status: 'success', message: 'Change event processed' });
  });

  // Opsgenie Alert API.
  async function genie(req: FastifyRequest, reply: FastifyReply) {
    const key = parseWith(opsgenie, reply, 'opsgenie', () => parseGenieKey(req.headers.authorization));
    if (key === undefined) return undefined;
    const found = await findIntegrationByKey(key);
    if (!found) {
      eventsRejected.inc({ kind: 'opsgenie', reason: 'unknown_key' });
      void reply.status(401).send({ message: 'Could not authenticate: unknown GenieKey', took: 0, requestId: randomUUID() });
      return undefined;
    }
    return found;
  }
  const accepted = (reply: FastifyReply) => reply.status(202).send({ result: 'Request will be processed', took: 0.001, requestId: randomUUID() });

  app.post('/v2/alerts', { schema: { hide: true } }, async (req, reply) => {
    const found = await genie(req, reply);
    if (!found) return reply;
    if (req.body === BAD_JSON) return opsgenie.malformed(reply, 'Request body is not valid JSON');
    const event = parseWith(opsgenie, reply, 'opsgenie', () => parseOpsgenieCreate(req.body));
    if (!event) return reply;
    if (limited(opsgenie, reply, found.integration, 1)) return reply;
    await accept(found.integration, found.service, [event]);
    return accepted(reply);
  });

  for (const [path, action] of [
    ['acknowledge', 'acknowledge'],
    ['close', 'resolve'],
  ] as const) {
    app.post(`/v2/alerts/:identifier/${path}`, { schema: { hide: true } }, async (req, reply) => {
      const found = await genie(req, reply);
      if (!found) return reply;
      const q = req.query as { identifierType?: string };
      const id = parseWith(opsgenie, reply, 'opsgenie', () => parseOpsgenieIdentifier((req.params as { identifier: string }).identifier, q.identifierType));
      if (!id) return reply;
      const body = req.body === BAD_JSON ? {} : parseWith(opsgenie, reply, 'opsgenie', () => parseOpsgenieActionBody(req.body));
      if (!body) return reply;
      if (id.type === 'tiny') return opsgenie.invalid(reply, 'identifierType=tiny is not supported by Klaxon; use id or alias', []);
      let dedupKey = id.value;
      if (id.type === 'id') {
        const a = await alertDedupKey(ctx.db.kysely, id.value, found.service.id);
        if (!a) return reply.status(404).send({ message: `Alert with id ${id.value} does not exist`, took: 0, requestId: randomUUID() });
        dedupKey = a.dedup_key;
      }
      if (limited(opsgenie, reply, found.integration, 1)) return reply;
      const summary = body.note ?? `${action} via Opsgenie API${body.user ? ` by ${body.user}` : ''}`;
      await accept(found.integration, found.service, [
        { action, dedupKey, summary, source: body.source ?? '', severity: 'info', details: { ...body }, links: [], fields: {}, raw: { identifier: id, ...body } },
      ]);
      return accepted(reply);
    });
  }

  // Alertmanager, Grafana and generic JSON.
  const parsers = { alertmanager: parseAlertmanagerWebhook, grafana: parseGrafanaWebhook, generic: parseGenericEvents } as const;
  app.post('/integrations/v1/:kind/:key', { schema: { hide: true } }, async (req, reply) => {
    const { kind, key } = req.params as { kind: string; key: string };
    if (!(kind in parsers)) {
      return reply.status(404).send(errorBody('not_found', `Unknown integration kind "${kind}": use alertmanager, grafana or generic (PagerDuty: POST /v2/enqueue, Opsgenie: POST /v2/alerts)`));
    }
    const found = await findIntegrationByKey(key);
    if (!found) {
      eventsRejected.inc({ kind, reason: 'unknown_key' });
      return reply.status(404).send(errorBody('not_found', 'No integration has this key'));
    }
    if (found.integration.kind !== kind) {
      return klaxon.invalid(reply, `This key belongs to a ${found.integration.kind} integration: send to /integrations/v1/${found.integration.kind}/<key>`, []);
    }
    const secret = signingSecretOf(ctx, found.integration);
    if (kind === 'grafana' && secret && !verifyGrafanaSignature(req.rawBody ?? '', secret, req.headers as Record<string, string | undefined>, ctx.clock.now())) {
      eventsRejected.inc({ kind, reason: 'bad_signature' });
      return reply.status(403).send(errorBody('forbidden', 'Bad or missing X-Grafana-Alerting-Signature'));
    }
    if (req.body === BAD_JSON) return klaxon.invalid(reply, 'The request body is not valid JSON', []);
    const events = parseWith(klaxon, reply, kind, () => parsers[kind as keyof typeof parsers](req.body));
    if (!events) return reply;
    if (limited(klaxon, reply, found.integration, events.length)) return reply;
    // An Alertmanager alert a heartbeat names (e.g. the always-firing Watchdog) is that heartbeat's check-in, not an incident.
    const kept = kind === 'alertmanager' ? await takeWatchdogCheckins(ctx, found.service.id, events) : events;
    const results = await accept(found.integration, found.service, kept);
    return reply.status(202).send({ status: 'accepted', events: results.map((r) => ({ dedupKey: r.dedupKey, outcome: r.outcome, incidentId: r.incidentId })) });
  });
}
