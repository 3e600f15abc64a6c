/**
 * The paging path's three queues are read in index order and cut at a pass's size, never read whole
 * and sorted: on SQLite (no statistics gathered) the due escalation steps' four parts (per status,
 * first level and the rest) and the due notifications' two parts each walk an index in due order
 * (migration 0036), and a delivery claim walks outbox_due in (priority, next_attempt_at) order.
 * Before, each sorted every due row on every pass, so a storm's backlog of N cost N²/50
 * (bench/org.ts at 100×).
 */
import { describe, expect, it } from 'vitest';
import { dueSteps } from '../../src/incident/store.js';
import { claimDue, dueNotifications } from '../../src/notify/store.js';
import { must } from '../../src/lib/must.js';
import { expectPartsReadInOrder, sqlitePlans } from '../sqlite-plans.js';

describe('paging queues query plans (sqlite)', () => {
  it('due escalation steps: each of the four parts walks its index in order; only the cut parts are sorted together', async () => {
    const plan = must((await sqlitePlans((db) => dueSteps(db, { now: 1 })))[0], 'the statement');
    const text = plan.text;
    expect(text.match(/SEARCH incidents USING INDEX incidents_first_step \(status=\? AND escalation_step=\? AND next_escalation_at<\?\)/g)).toHaveLength(2);
    expect(text.match(/SEARCH incidents USING INDEX incidents_escalation_due_by_status \(status=\? AND next_escalation_at<\?\)/g)).toHaveLength(2);
    expectPartsReadInOrder(plan, 4);
  });

  it('due notifications: each part walks its index in order; only the two cut parts are sorted together', async () => {
    const plan = must((await sqlitePlans((db) => dueNotifications(db, { now: 1 })))[0], 'the statement');
    const text = plan.text;
    expect(text).toContain('SEARCH notifications USING INDEX notifications_first (status=? AND step=? AND due_at<?)');
    expect(text).toContain('SEARCH notifications USING INDEX notifications_due (status=? AND due_at<?)');
    // A sort inside a part would be every due row of it; the merge's sorts take at most 50 each.
    expectPartsReadInOrder(plan, 2);
  });

  it('a delivery claim (every channel; with full channels left out; with busy channels giving first pages only) walks outbox_due in order, with no sort', async () => {
    const plans = await sqlitePlans(async (db) => {
      await claimDue(db, 'sqlite', { now: 1, limit: 50, owner: 'o', until: 2, full: [], busy: [] });
      await claimDue(db, 'sqlite', { now: 1, limit: 50, owner: 'o', until: 2, full: ['sms'], busy: ['sms'] });
      await claimDue(db, 'sqlite', { now: 1, limit: 50, owner: 'o', until: 2, full: [], busy: ['email'] });
    });
    expect(plans).toHaveLength(3);
    for (const plan of plans) {
      expect(plan.text).toContain('SEARCH due USING INDEX outbox_due (status=?)');
      expect(plan.text).not.toContain('TEMP B-TREE');
    }
  });
});
