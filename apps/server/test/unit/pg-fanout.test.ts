import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PgFanout } from '../../src/lib/db/pg-notify.js';
import { createLogger } from '../../src/lib/logger.js';
import { must } from '../../src/lib/must.js';

const URL = process.env.KLAXON_TEST_DATABASE_URL;

// Live events across instances on a real PostgreSQL: the payloads of one event-loop turn share NOTIFYs.
describe.skipIf(!URL)('PgFanout over a real PostgreSQL', () => {
  let pool: pg.Pool;
  let fanout: PgFanout;
  let notifies = 0;
  const received: string[] = [];
  beforeAll(async () => {
    pool = new pg.Pool({ connectionString: URL, max: 4 });
    const channel = `klaxon_test_${process.pid}`;
    fanout = new PgFanout(
      must(URL, 'URL'),
      channel,
      async (ch, payload) => {
        notifies++;
        await pool.query('select pg_notify($1, $2)', [ch, payload]);
      },
      (p) => received.push(p),
      createLogger('silent'),
    );
    await fanout.start();
  });
  afterAll(async () => {
    await fanout?.close();
    await pool?.end();
  });

  it('300 events published at once arrive in order, each once, through a handful of NOTIFYs under 8,000 bytes', async () => {
    const sent = Array.from({ length: 300 }, (_, i) => JSON.stringify({ type: 'incident', incidentId: `01J${String(i).padStart(23, '0')}`, data: { status: 'triggered', n: i } }));
    for (const p of sent) fanout.publish(p);
    await expect.poll(() => received.length, { timeout: 10_000 }).toBe(300);
    expect(received).toEqual(sent);
    expect(notifies).toBeGreaterThanOrEqual(Math.ceil(sent.join('\n').length / 7900));
    expect(notifies).toBeLessThanOrEqual(10);
  });
});
