/**
 * Queries for open incidents read only the open ones, never every resolved incident of the history:
 * on SQLite (no statistics gathered) the lookups that group a new alert into an open incident seek
 * incidents_service on the service and each open status, and a status page reads the incidents
 * resolved in its 90 days through incidents_resolved_with_sev (migration 0037) and the published
 * ones by id. With "status != 'resolved'" the grouping lookup read every incident of the service
 * (1.3 ms a new alert on PostgreSQL at 100,000 past incidents in bench/org.ts).
 */
import { describe, expect, it } from 'vitest';
import { latestOpenIncidentSince, openIncidentByGroupKey } from '../../src/alert/store.js';
import { pageFingerprint, pageIncidents } from '../../src/status/store.js';
import { sqlitePlans } from '../sqlite-plans.js';

describe('open incidents query plans (sqlite)', () => {
  it('grouping a new alert seeks the service and the open statuses', async () => {
    for (const run of [
      (db: Parameters<typeof openIncidentByGroupKey>[0]) => openIncidentByGroupKey(db, 's', 'cluster=eu'),
      (db: Parameters<typeof latestOpenIncidentSince>[0]) => latestOpenIncidentSince(db, 's', 0),
    ]) {
      const [q] = await sqlitePlans(run);
      // By field: the service and each open status; by time window: each open status and the window.
      expect(q?.text).toMatch(/SEARCH incidents USING INDEX (incidents_service \(service_id=\? AND status=\?\)|incidents_status \(status=\? AND created_at>\?\))/);
    }
  });

  it("a status page's reads seek indexes: no step scans the incidents", async () => {
    const plans = await sqlitePlans(async (db) => {
      await pageIncidents(db, 0, 0);
      await pageFingerprint(db);
    });
    expect(plans).toHaveLength(4);
    const all = plans.map((p) => p.text).join('\n');
    expect(all).not.toMatch(/^SCAN incidents\b/m);
    // Open incidents by their statuses, through an index that starts with status.
    expect(all).toMatch(/SEARCH incidents USING (COVERING )?INDEX \w+ \(status=\?\)/);
    expect(all).toMatch(/INDEX incidents_resolved_with_sev \(resolved_at>\?\)/);
    expect(all).toMatch(/SEARCH incidents USING INDEX sqlite_autoindex_incidents_1 \(id=\?\)/);
    expect(all).toMatch(/SEARCH status_updates USING INDEX status_updates_public_at \(public=\? AND at>\?\)/);
  });
});
