/**
 * The first page of the incident list filtered by status does not read the whole history: on SQLite
 * (no statistics gathered) the query walks incidents_status_number in order and stops at the page's
 * end, with no temporary B-tree sorting every resolved incident (migration 0033, bench/org.ts).
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
        await queryIncidents(db, { status: [...status] }, {});
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
});
