/**
 * A delivery claim on PostgreSQL looks the claimed messages up by key, never reading the whole
 * outbox: an IN under an OR (the queued part beside the lapsed leases) cannot be joined there, so
 * it was a sequential scan of every message ever sent on each claim of 50 (31 ms at 200,000 rows;
 * bench/org.ts at 10×: a new incident's first page p50 135 ms against 19 ms). With statistics
 * gathered over 100,000 messages, the plan must use outbox_pkey.
 */
import { Kysely, PostgresDialect, type CompiledQuery } from 'kysely';
import pg from 'pg';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/database.js';
import { claimDue } from '../../src/notify/store.js';
import { DIALECTS, migratedDatabase } from '../harness.js';

describe.skipIf(!DIALECTS.includes('postgres'))('delivery claim query plan (postgres)', () => {
  it('claims through the primary key, with no sequential scan of the outbox', async () => {
    const target = await migratedDatabase('postgres');
    const pool = new pg.Pool({ connectionString: target.url, max: 1 });
    const seen: CompiledQuery[] = [];
    const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }), log: (e) => void seen.push(e.query) });
    try {
      await pool.query(`insert into outbox (id, kind, channel, destination, content, status, attempts, next_attempt_at, created_at, priority)
        select 'm' || g, 'page', 'email', 'x@example.com', '{}', case when g % 50 = 0 then 'queued' else 'sent' end, 1, g, g, g % 2
        from generate_series(1, 100000) g`);
      await pool.query('analyze outbox');
      for (const [full, busy] of [
        [[], []],
        [['sms'], ['sms']],
        [[], ['sms']],
      ] as [string[], string[]][]) {
        seen.length = 0;
        const claimed = await claimDue(db, 'postgres', { now: 1e6, limit: 50, owner: 'test', until: 1e6 + 60_000, full, busy });
        expect(claimed.rows).toHaveLength(50);
        const q = seen[0];
        const plan = (await pool.query(`explain ${q?.sql ?? ''}`, (q?.parameters ?? []) as unknown[])).rows.map((r: Record<string, string>) => r['QUERY PLAN']).join('\n');
        expect(plan).toContain('Index Scan using outbox_pkey on outbox');
        expect(plan).not.toMatch(/Seq Scan on outbox/);
      }
    } finally {
      await db.destroy();
      await target.drop();
    }
  });
});
