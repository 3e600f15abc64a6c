/**
 * In a storm of re-pages, a new incident's first page goes first (migration 0034, bench/org.ts: at
 * 10× on PostgreSQL it had waited 11–17 s behind thousands of later-level pages). Through the real
 * engine: a new incident's first-level page is written with priority 0, a later level's with 1. Then
 * each queue is given a backlog of older work and one newer first-level item, and the engine's own
 * queries (due escalation steps, due notifications, the delivery claim) are asked what comes first.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { dueSteps } from '../../src/incident/store.js';
import { newId } from '../../src/lib/ids.js';
import { enqueueMessage } from '../../src/notify/outbox.js';
import { claimDue, dueNotifications, insertNotification } from '../../src/notify/store.js';
import { addResponder, DIALECTS, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';

const MIN = 60_000;

describe.each(DIALECTS)('first pages first (%s)', (dialect) => {
  let t: TestKlaxon;
  let gail: Responder;
  let serviceId = '';
  const incidents: { id: string; number: number }[] = [];

  beforeAll(async () => {
    // One page per incident and level (no bundling, no rate limit), so each page's priority can be read.
    t = await startTestKlaxon(dialect, { pageLimits: {}, pageBundling: false });
    gail = await addResponder(t, { name: 'Gail', email: 'gail@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    const level = { delayMinutes: 1, targets: [{ type: 'user', id: gail.id }] };
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Two levels', levels: [level, level] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'orders', escalationPolicyId: policy.body.escalationPolicy.id });
    serviceId = svc.body.service.id;
    for (let i = 0; i < 12; i++) {
      const r = await t.api('POST', '/api/v1/incidents', { service: serviceId, title: `Disk full on db-${i}` });
      incidents.push({ id: r.body.incident.id, number: r.body.incident.number });
    }
    await t.cycle();
  });
  afterAll(async () => {
    await t?.stop();
  });

  const db = () => t.k.ctx.db.kysely;
  const pagesOf = (ids: string[]) =>
    db().selectFrom('outbox').select(['incident_id', 'priority', 'content']).where('kind', '=', 'page').where('incident_id', 'in', ids).orderBy('created_at').execute();

  it('writes a new incident’s first-level page with priority 0 and a later level’s with 1', async () => {
    const first = await pagesOf(incidents.map((i) => i.id));
    expect(first).toHaveLength(incidents.length);
    expect(first.map((p) => p.priority)).toEqual(incidents.map(() => 0));
    await t.advance(MIN); // the second level falls due for every incident
    const all = await pagesOf(incidents.map((i) => i.id));
    expect(all).toHaveLength(2 * incidents.length);
    expect(all.slice(incidents.length).map((p) => p.priority)).toEqual(incidents.map(() => 1));
  });

  it('claims a queued first page before older re-pages', async () => {
    const now = t.clock.now();
    const page = (n: number, first: boolean) =>
      enqueueMessage(db(), now - (first ? 0 : 60 * MIN - n), {
        channel: 'email',
        destination: gail.email,
        message: { kind: 'reply', text: `${first ? 'first' : 're-page'} ${n}` },
        userId: gail.id,
        incidentId: incidents[0]?.id ?? null,
        first,
      });
    const backlog = [];
    for (let n = 0; n < 20; n++) backlog.push(await page(n, false));
    const firstPage = await page(99, true);
    const claimed = (await claimDue(db(), dialect, { now, limit: 3, owner: 'test', until: now + MIN, full: [], busy: [] })).rows.map((r) => r.id);
    expect(claimed).toHaveLength(3);
    expect(claimed).toContain(firstPage);
    // The other two are the oldest of the backlog.
    expect(claimed.filter((id) => id !== firstPage).sort()).toEqual([backlog[0], backlog[1]].sort());
  });

  it('takes a new incident’s due step and its due notifications before older later-level ones', async () => {
    const now = t.clock.now();
    const fresh = await t.api('POST', '/api/v1/incidents', { service: serviceId, title: 'Checkout down' });
    const freshId: string = fresh.body.incident.id;
    await t.k.engine.idle(); // the quick cycle the new incident woke has run
    // Every open incident's next level is due an hour ago; the new one's first level is due now.
    await db()
      .updateTable('incidents')
      .set({ escalation_step: 1, next_escalation_at: now - 60 * MIN })
      .where(
        'id',
        'in',
        incidents.map((i) => i.id),
      )
      .execute();
    await db().updateTable('incidents').set({ escalation_step: 0, next_escalation_at: now }).where('id', '=', freshId).execute();
    const steps = (await dueSteps(db(), { now })).rows;
    expect(steps.map((s) => s.id)).toContain(incidents[0]?.id);
    expect(steps[0]?.id).toBe(freshId);

    // Notifications: later-level ones due an hour ago for every incident, a first-level one due now.
    await db().updateTable('notifications').set({ status: 'queued' }).where('status', '=', 'pending').execute();
    await db().deleteFrom('notifications').where('incident_id', '=', freshId).execute(); // its first page went out in the quick cycle
    for (const [i, inc] of incidents.entries())
      await insertNotification(db(), {
        id: newId(),
        incident_id: inc.id,
        user_id: gail.id,
        contact_method_id: gail.methods.email ?? '',
        step: 7,
        due_at: now - 60 * MIN + i,
        status: 'pending',
        created_at: now,
      });
    await insertNotification(db(), { id: newId(), incident_id: freshId, user_id: gail.id, contact_method_id: gail.methods.email ?? '', step: 0, due_at: now, status: 'pending', created_at: now });
    const due = (await dueNotifications(db(), { now })).rows;
    expect(due).toHaveLength(incidents.length + 1);
    expect(due[0]).toMatchObject({ incident_id: freshId, step: 0 });
  });
});
