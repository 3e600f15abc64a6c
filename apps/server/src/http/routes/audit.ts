import { Readable } from 'node:stream';
import * as C from '@klaxon/contract';
import { AUDIT_CSV_COLUMNS, auditCsvLine, exportAudit, listAudit } from '../../audit-trail.js';
import { getScimToken, revokeScimToken, rotateScimToken } from '../../scim/service.js';
import type { AuditEntry } from '@klaxon/contract';
import { actorOf } from '../auth.js';
import type { App, HttpDeps } from '../deps.js';

async function* csv(entries: AsyncIterable<AuditEntry>): AsyncIterable<string> {
  yield `${AUDIT_CSV_COLUMNS.join(',')}\r\n`;
  for await (const e of entries) yield auditCsvLine(e);
}

async function* jsonArray(entries: AsyncIterable<AuditEntry>): AsyncIterable<string> {
  yield '[';
  let first = true;
  for await (const e of entries) {
    yield `${first ? '' : ',\n'}${JSON.stringify(e)}`;
    first = false;
  }
  yield ']\n';
}

/** The audit trail: GET /api/v1/audit (filters, cursor paging) and its export as CSV or JSON, streamed; and the SCIM token's management. */
export async function auditRoutes(app: App, { ctx, sso }: HttpDeps): Promise<void> {
  // The SCIM bearer token (docs/sso.md, Provisioning): its creation, rotation and revocation are on the trail.
  const environment = !!sso?.scim;
  const scimTags = ['scim'];
  app.get(
    '/scim-token',
    { schema: { tags: scimTags, summary: 'The SCIM token created from the API (never its secret) and whether KLAXON_SCIM_TOKEN is set (admins)', response: { 200: C.ScimTokenAnswer } } },
    async (req) => ({
      scimToken: await getScimToken(ctx, await actorOf(ctx, req), environment),
    }),
  );
  app.post(
    '/scim-token',
    { schema: { tags: scimTags, summary: 'Create the SCIM token, or replace the one created before; shown once (admins)', response: { 201: C.NewScimTokenAnswer } } },
    async (req, reply) => reply.status(201).send(await rotateScimToken(ctx, await actorOf(ctx, req), environment)),
  );
  app.delete(
    '/scim-token',
    { schema: { tags: scimTags, summary: 'Revoke the SCIM token created from the API (KLAXON_SCIM_TOKEN is not touched)', response: { 204: C.NoContent } } },
    async (req, reply) => {
      await revokeScimToken(ctx, await actorOf(ctx, req));
      return reply.status(204).send();
    },
  );

  const tags = ['audit'];
  app.get('/audit', { schema: { tags, querystring: C.AuditQuery, summary: 'The audit trail, newest first: filters and cursor paging (admins)', response: { 200: C.AuditAnswer } } }, async (req) =>
    listAudit(ctx, await actorOf(ctx, req), req.query),
  );
  app.get(
    '/audit/export',
    {
      schema: {
        tags,
        querystring: C.AuditExportQuery,
        summary: 'Every matching audit entry as CSV or JSON, streamed (admins); the export is itself on the trail',
        response: { 200: C.AuditExport },
      },
    },
    async (req, reply) => {
      const r = await exportAudit(ctx, await actorOf(ctx, req), req.query);
      const body = Readable.from(r.format === 'csv' ? csv(r.entries) : jsonArray(r.entries));
      return reply
        .header('content-type', r.format === 'csv' ? 'text/csv; charset=utf-8' : 'application/json; charset=utf-8')
        .header('content-disposition', `attachment; filename="klaxon-audit.${r.format}"`)
        .send(body as unknown as string); // a stream: Fastify pipes it (no serializer runs)
    },
  );
}
