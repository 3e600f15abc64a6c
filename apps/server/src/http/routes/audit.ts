import { Readable } from 'node:stream';
import * as C from '@klaxon/contract';
import { AUDIT_CSV_COLUMNS, auditCsvLine, exportAudit, listAudit } from '../../audit-trail.js';
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

/** The audit trail: GET /api/v1/audit (filters, cursor paging) and its export as CSV or JSON, streamed. */
export async function auditRoutes(app: App, { ctx }: HttpDeps): Promise<void> {
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
