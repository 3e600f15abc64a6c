import type { FastifyReply, FastifyRequest } from 'fastify';
import { safeEqual } from '../../lib/ids.js';
import * as scim from '../../scim/service.js';
import { GROUP_SCHEMA, ScimError, USER_SCHEMA } from '../../scim/protocol.js';
import type { App, HttpDeps } from '../deps.js';
import { toHttpError } from '../errors.js';
import { must } from '../../lib/must.js';

const CONTENT_TYPE = 'application/scim+json; charset=utf-8';

function attr(name: string, type: string, o: Record<string, unknown> = {}) {
  return { name, type, multiValued: false, required: false, caseExact: false, mutability: 'readWrite', returned: 'default', uniqueness: 'none', ...o };
}

/** The schemas Klaxon serves (RFC 7643 §7): only the attributes it keeps. */
function schemas(base: string) {
  return [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
      id: USER_SCHEMA,
      name: 'User',
      description: 'A Klaxon person; userName is their email',
      attributes: [
        attr('userName', 'string', { required: true, uniqueness: 'server' }),
        attr('externalId', 'string', { caseExact: true }),
        attr('displayName', 'string'),
        { ...attr('name', 'complex'), subAttributes: [attr('formatted', 'string'), attr('givenName', 'string'), attr('familyName', 'string')] },
        { ...attr('emails', 'complex', { multiValued: true }), subAttributes: [attr('value', 'string'), attr('type', 'string'), attr('primary', 'boolean')] },
        attr('active', 'boolean'),
      ],
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${USER_SCHEMA}` },
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:Schema'],
      id: GROUP_SCHEMA,
      name: 'Group',
      description: 'A Klaxon team',
      attributes: [
        attr('displayName', 'string', { required: true, uniqueness: 'server' }),
        attr('externalId', 'string', { caseExact: true }),
        {
          ...attr('members', 'complex', { multiValued: true }),
          subAttributes: [attr('value', 'string', { mutability: 'immutable' }), attr('display', 'string', { mutability: 'readOnly' }), attr('type', 'string', { mutability: 'immutable' })],
        },
      ],
      meta: { resourceType: 'Schema', location: `${base}/Schemas/${GROUP_SCHEMA}` },
    },
  ];
}

/**
 * SCIM 2.0 at /scim/v2 (RFC 7644): Users, Groups, ServiceProviderConfig, ResourceTypes, Schemas. Bodies
 * are application/scim+json (or application/json), answers application/scim+json, errors in SCIM's
 * error shape. Authenticated by the bearer token in KLAXON_SCIM_TOKEN. Not in /api/v1/openapi.json: SCIM
 * describes itself at /scim/v2/Schemas (docs/sso.md).
 */
export async function scimRoutes(app: App, deps: HttpDeps): Promise<void> {
  const { ctx } = deps;
  const settings = deps.sso?.scim;
  const actor = scim.SCIM_ACTOR;
  const base = () => `${ctx.publicUrl.replace(/\/+$/, '')}/scim/v2`;

  app.addContentTypeParser(['application/scim+json'], { parseAs: 'string', bodyLimit: 1024 * 1024 }, (_req, body, done) => {
    try {
      done(null, body === '' ? undefined : JSON.parse(body as string));
    } catch {
      done(new ScimError(400, 'The body is not JSON', 'invalidSyntax'));
    }
  });
  app.setErrorHandler((err, req, reply) => {
    if (err instanceof ScimError) return reply.status(err.status).type(CONTENT_TYPE).send(err.body());
    const { status, body } = toHttpError(err);
    if (status >= 500) req.log.error({ err }, 'SCIM request failed');
    return reply
      .status(status)
      .type(CONTENT_TYPE)
      .send(new ScimError(status, status >= 500 ? 'Something went wrong on our side; it has been logged' : body.error.message, status === 400 ? 'invalidSyntax' : undefined).body());
  });
  const notFound = (req: FastifyRequest, reply: FastifyReply) =>
    reply
      .status(404)
      .type(CONTENT_TYPE)
      .send(new ScimError(404, `No SCIM endpoint ${req.method} ${req.url.split('?')[0]}`).body());
  app.setNotFoundHandler(notFound);
  // The web app's catch-all (static.ts) would otherwise answer GET /scim/v2/<anything else> with its page.
  app.all('/*', { schema: { hide: true } }, notFound);
  app.addHook('onRequest', async (req: FastifyRequest, reply: FastifyReply) => {
    if (!settings) throw new ScimError(404, 'SCIM provisioning is not configured here (KLAXON_SCIM_TOKEN)');
    const m = /^Bearer\s+(\S+)$/i.exec(req.headers.authorization ?? '');
    if (!m || !safeEqual(must(m[1], 'm[1]'), settings.token)) {
      void reply.header('www-authenticate', 'Bearer realm="klaxon-scim"');
      throw new ScimError(401, 'Send the SCIM token: Authorization: Bearer <KLAXON_SCIM_TOKEN>');
    }
  });
  app.addHook('onSend', async (_req, reply, payload) => {
    if (String(reply.getHeader('content-type') ?? '').startsWith('application/json')) void reply.header('content-type', CONTENT_TYPE);
    return payload;
  });

  const q = (req: FastifyRequest) => (req.query ?? {}) as Record<string, unknown>;
  const p = (req: FastifyRequest) => (req.params as { id: string }).id;
  const opts = { schema: { hide: true } };

  app.get('/ServiceProviderConfig', opts, async () => ({
    schemas: ['urn:ietf:params:scim:schemas:core:2.0:ServiceProviderConfig'],
    patch: { supported: true },
    bulk: { supported: false, maxOperations: 0, maxPayloadSize: 0 },
    filter: { supported: true, maxResults: 200 },
    changePassword: { supported: false },
    sort: { supported: false },
    etag: { supported: false },
    authenticationSchemes: [{ type: 'oauthbearertoken', name: 'Bearer token', description: 'The token in KLAXON_SCIM_TOKEN', primary: true }],
    meta: { resourceType: 'ServiceProviderConfig', location: `${base()}/ServiceProviderConfig` },
  }));
  const resourceTypes = () => [
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'User',
      name: 'User',
      endpoint: '/Users',
      schema: USER_SCHEMA,
      meta: { resourceType: 'ResourceType', location: `${base()}/ResourceTypes/User` },
    },
    {
      schemas: ['urn:ietf:params:scim:schemas:core:2.0:ResourceType'],
      id: 'Group',
      name: 'Group',
      endpoint: '/Groups',
      schema: GROUP_SCHEMA,
      meta: { resourceType: 'ResourceType', location: `${base()}/ResourceTypes/Group` },
    },
  ];
  const list = <T>(all: T[]) => ({ schemas: ['urn:ietf:params:scim:api:messages:2.0:ListResponse'], totalResults: all.length, startIndex: 1, itemsPerPage: all.length, Resources: all });
  app.get('/ResourceTypes', opts, async () => list(resourceTypes()));
  app.get('/ResourceTypes/:id', opts, async (req) => {
    const r = resourceTypes().find((x) => x.id === p(req));
    if (!r) throw new ScimError(404, `No resource type ${p(req)}`);
    return r;
  });
  app.get('/Schemas', opts, async () => list(schemas(base())));
  app.get('/Schemas/:id', opts, async (req) => {
    const s = schemas(base()).find((x) => x.id === p(req));
    if (!s) throw new ScimError(404, `No schema ${p(req)}`);
    return s;
  });

  app.get('/Users', opts, async (req) => scim.listUsers(ctx, actor, base(), q(req)));
  app.get('/Users/:id', opts, async (req) => scim.getUser(ctx, actor, base(), p(req)));
  app.post('/Users', opts, async (req, reply) => {
    const u = await scim.createUser(ctx, actor, { base: base(), defaultRole: must(settings, 'settings').defaultRole }, req.body);
    return reply.status(201).header('location', u.meta.location).send(u);
  });
  app.put('/Users/:id', opts, async (req) => scim.replaceUser(ctx, actor, base(), p(req), req.body));
  app.patch('/Users/:id', opts, async (req) => scim.patchUserResource(ctx, actor, base(), p(req), req.body));
  app.delete('/Users/:id', opts, async (req, reply) => {
    await scim.deleteUser(ctx, actor, p(req));
    return reply.status(204).send();
  });

  app.get('/Groups', opts, async (req) => scim.listGroups(ctx, actor, base(), q(req)));
  app.get('/Groups/:id', opts, async (req) => scim.getGroup(ctx, actor, base(), p(req)));
  app.post('/Groups', opts, async (req, reply) => {
    const g = await scim.createGroup(ctx, actor, base(), req.body);
    return reply.status(201).header('location', g.meta.location).send(g);
  });
  app.put('/Groups/:id', opts, async (req) => scim.replaceGroup(ctx, actor, base(), p(req), req.body));
  app.patch('/Groups/:id', opts, async (req) => scim.patchGroup(ctx, actor, base(), p(req), req.body));
  app.delete('/Groups/:id', opts, async (req, reply) => {
    await scim.deleteGroup(ctx, actor, p(req));
    return reply.status(204).send();
  });
}
