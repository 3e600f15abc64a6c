/**
 * The first page of the incident list filtered by status does not read the whole history: on SQLite
 * (no statistics gathered) the query walks incidents_status_number in order and stops at the page's
 * end, with no temporary B-tree sorting every resolved incident (migration 0033, bench/org.ts); and
 * "mine" finds the person's incidents through an index for each way they can be part of one, never
 * reading every incident (migration 0035).
 */
import { describe, expect, it } from 'vitest';
import { queryIncidents } from '../../src/incident/store.js';
import { sqlitePlans } from '../sqlite-plans.js';

describe('incident list query plan (sqlite)', () => {
  it('a status filter reads the page in index order, with no sort of every matching incident', async () => {
    for (const status of [['resolved'], ['triggered']] as const) {
      const [q] = await sqlitePlans((db) => queryIncidents(db, 'sqlite', { status: [...status] }, {}));
      expect(q?.sql).toMatch(/order by "incidents"."number" desc/);
      expect(q?.text).toMatch(/SEARCH incidents USING INDEX incidents_status_number \(status=\?\)/);
      expect(q?.text).not.toMatch(/TEMP B-TREE FOR ORDER BY/);
    }
  });

  it('"mine" reads no table of incidents whole: each way a person is part of an incident has its index', async () => {
    for (const f of [{ mine: 'someone' }, { mine: 'someone', status: ['resolved' as const] }]) {
      const [q] = await sqlitePlans((db) => queryIncidents(db, 'sqlite', f, {}));
      const plan = q?.text ?? '';
      expect(plan).not.toMatch(/^SCAN (incidents|m|a|t|p|notifications|outbox)\b/m);
      for (const index of ['incidents_manager', 'incidents_acknowledged_by', 'incidents_service', 'notifications_user', 'outbox_user_incident']) expect(plan).toContain(`INDEX ${index} `);
    }
  });
});
