import { randomBytes } from 'node:crypto';
import { isDiskFull, writeHealth } from '../../lib/db/disk-full.js';
import { metricsRegistry } from '../../lib/metrics.js';
import { pingDatabase, upsertSetting } from '../../store.js';
import type { App } from '../deps.js';
import type { HttpDeps } from '../deps.js';

/** /healthz (the process answers), /readyz (the database answers, and writes to it again after a full disk), /metrics (Prometheus). */
export async function healthRoutes(app: App, deps: HttpDeps): Promise<void> {
  app.get('/healthz', { schema: { hide: true } }, async () => ({ status: 'ok' }));
  app.get('/readyz', { schema: { hide: true } }, async (_req, reply) => {
    const health = writeHealth(deps.ctx.db.location);
    if (health.failing) {
      // Writes failed for lack of space: ready again only once a write gets through.
      try {
        // 64 KB that does not compress: it needs new space (WAL frames on SQLite, new TOAST pages on
        // PostgreSQL), not a few bytes that fit in a page already allocated. Then back to a few bytes.
        const probe = (value: string) => upsertSetting(deps.ctx.db.kysely, 'readyz_write_probe', value);
        await probe(randomBytes(48 * 1024).toString('base64'));
        await probe(new Date().toISOString());
        health.ok();
      } catch (e) {
        if (isDiskFull(e)) health.failed(e);
        return reply.status(503).send({ status: 'database cannot write', error: e instanceof Error ? e.message : String(e), since: new Date(health.since).toISOString() });
      }
    }
    try {
      await pingDatabase(deps.ctx.db.kysely);
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
