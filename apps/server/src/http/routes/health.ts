import { sql } from 'kysely';
import { metricsRegistry } from '../../lib/metrics.js';
import type { App } from '../deps.js';
import type { HttpDeps } from '../deps.js';

/** /healthz (the process answers), /readyz (the database answers), /metrics (Prometheus). */
export async function healthRoutes(app: App, deps: HttpDeps): Promise<void> {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    try {
      await sql`select 1`.execute(deps.ctx.db.kysely);
      if (!deps.ready()) return reply.status(503).send({ status: 'starting or stopping' });
      return { status: 'ready', database: deps.ctx.db.dialect };
    } catch (e) {
      return reply.status(503).send({ status: 'database unavailable', error: e instanceof Error ? e.message : String(e) });
    }
  });
  app.get('/metrics', { schema: { hide: true } }, async (_req, reply) => {
    void reply.header('content-type', metricsRegistry.contentType);
    return metricsRegistry.metrics();
  });
}
