/**
 * The paging path's three queues are read in index order and cut at a pass's size, never read whole
 * and sorted: on SQLite (no statistics gathered) the due escalation steps' four parts (per status,
 * first level and the rest) and the due notifications' two parts each walk an index in due order
 * (migration 0036), and a delivery claim walks outbox_due in (priority, next_attempt_at) order. Before, both sorted every due row on every pass,
 * so a storm's backlog of N cost N²/50 (bench/org.ts at 100×).
 */
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/database.js';
import { dueSteps } from '../../src/incident/store.js';
import { claimDue, dueNotifications } from '../../src/notify/store.js';
import { migratedDatabase } from '../harness.js';

type Step = { id: number; parent: number; detail: string };

describe('paging queues query plans (sqlite)', () => {
  it('due escalation steps: each of the four parts walks its index in order; only the cut parts are sorted together', async () => {
    await withPlans(
      async (db) => void (await dueSteps(db, { now: 1 })),
      ([plan]) => {
        const steps = plan ?? [];
        const text = steps.map((s) => s.detail).join('\n');
        expect(text.match(/SEARCH incidents USING INDEX incidents_first_step \(status=\? AND escalation_step=\? AND next_escalation_at<\?\)/g)).toHaveLength(2);
        expect(text.match(/SEARCH incidents USING INDEX incidents_escalation_due_by_status \(status=\? AND next_escalation_at<\?\)/g)).toHaveLength(2);
        const coroutines = new Set(steps.filter((s) => s.detail.startsWith('CO-ROUTINE')).map((s) => s.id));
        expect(coroutines.size).toBe(4);
        for (const s of steps.filter((x) => x.detail.includes('TEMP B-TREE'))) expect(coroutines.has(s.parent), s.detail).toBe(false);
      },
    );
  });

  it('due notifications: each part walks its index in order; only the two cut parts are sorted together', async () => {
    await withPlans(
      async (db) => void (await dueNotifications(db, { now: 1 })),
      ([plan]) => {
        const steps = plan ?? [];
        const text = steps.map((s) => s.detail).join('\n');
        expect(text).toContain('SEARCH notifications USING INDEX notifications_first (status=? AND step=? AND due_at<?)');
        expect(text).toContain('SEARCH notifications USING INDEX notifications_due (status=? AND due_at<?)');
        const coroutines = new Set(steps.filter((s) => s.detail.startsWith('CO-ROUTINE')).map((s) => s.id));
        expect(coroutines.size).toBe(2);
        // A sort inside a part would be every due row of it; the merge's sorts take at most 50 each.
        for (const s of steps.filter((x) => x.detail.includes('TEMP B-TREE'))) expect(coroutines.has(s.parent), s.detail).toBe(false);
      },
    );
  });

  it('a delivery claim (every channel, and with full channels left out) walks outbox_due in order, with no sort', async () => {
    await withPlans(
      async (db) => {
        await claimDue(db, 'sqlite', { now: 1, limit: 50, owner: 'o', until: 2, full: [] });
        await claimDue(db, 'sqlite', { now: 1, limit: 50, owner: 'o', until: 2, full: ['sms'] });
      },
      (plans) => {
        expect(plans).toHaveLength(2);
        for (const plan of plans) {
          const text = plan.map((s) => s.detail).join('\n');
          expect(text).toContain('SEARCH due USING INDEX outbox_due (status=?)');
          expect(text).not.toContain('TEMP B-TREE');
        }
      },
    );
  });
});

/** Runs `queries` on a migrated SQLite database and hands `check` each statement's query plan. */
async function withPlans(queries: (db: Kysely<Database>) => Promise<void>, check: (plans: Step[][]) => void): Promise<void> {
  const target = await migratedDatabase('sqlite');
  const file = new SQLite(target.url);
  const seen: CompiledQuery[] = [];
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: file }), log: (e) => void seen.push(e.query) });
  try {
    await queries(db);
    check(seen.map((q) => file.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as Step[]));
  } finally {
    await db.destroy();
    await target.drop();
  }
}
