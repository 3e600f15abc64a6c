/**
 * The first page of the incident list filtered by status does not read the whole history: on SQLite
 * (no statistics gathered) the query walks incidents_status_number in order and stops at the page's
 * end, with no temporary B-tree sorting every resolved incident (migration 0033, bench/org.ts); and
 * "mine" finds the person's incidents through an index for each way they can be part of one, never
 * reading every incident (migration 0035).
 */
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { describe, expect, it } from 'vitest';
import type { Database } from '../../src/database.js';
import { queryIncidents } from '../../src/incident/store.js';
import { migratedDatabase } from '../harness.js';

describe('incident list query plan (sqlite)', () => {
  it('a status filter reads the page in index order, with no sort of every matching incident', async () => {
    const target = await migratedDatabase('sqlite');
    const file = new SQLite(target.url);
    const seen: CompiledQuery[] = [];
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: file }), log: (e) => void seen.push(e.query) });
    try {
      for (const status of [['resolved'], ['triggered']] as const) {
        seen.length = 0;
        await queryIncidents(db, 'sqlite', { status: [...status] }, {});
        const q = seen[0];
        expect(q?.sql).toMatch(/order by "incidents"."number" desc/);
        const plan = file
          .prepare(`explain query plan ${q?.sql ?? ''}`)
          .all(...((q?.parameters ?? []) as unknown[]))
          .map((r) => (r as { detail: string }).detail);
        expect(plan.join('\n')).toMatch(/SEARCH incidents USING INDEX incidents_status_number \(status=\?\)/);
        expect(plan.join('\n')).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
      }
    } finally {
      await db.destroy();
      await target.drop();
    }
  });

  it('"mine" reads no table of incidents whole: each way a person is part of an incident has its index', async () => {
    const target = await migratedDatabase('sqlite');
    const file = new SQLite(target.url);
    const seen: CompiledQuery[] = [];
    const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: file }), log: (e) => void seen.push(e.query) });
    try {
      for (const f of [{ mine: 'someone' }, { mine: 'someone', status: ['resolved' as const] }]) {
        seen.length = 0;
        await queryIncidents(db, 'sqlite', f, {});
        const q = seen[0];
        const plan = file
          .prepare(`explain query plan ${q?.sql ?? ''}`)
          .all(...((q?.parameters ?? []) as unknown[]))
          .map((r) => (r as { detail: string }).detail)
          .join('\n');
        expect(plan).not.toMatch(/^SCAN (incidents|m|a|t|p|notifications|outbox)\b/m);
        for (const index of ['incidents_manager', 'incidents_acknowledged_by', 'incidents_service', 'notifications_user', 'outbox_user_incident']) expect(plan).toContain(`INDEX ${index} `);
      }
    } finally {
      await db.destroy();
      await target.drop();
    }
  });
});
