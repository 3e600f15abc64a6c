import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, mustFind } from '../harness.js';
import { warRoomWorld, type WarRoomWorld } from './warroom-setup.js';

describe.each(DIALECTS)('a drill (%s)', (dialect) => {
  let w: WarRoomWorld;
  beforeAll(async () => {
    w = await warRoomWorld(dialect);
  });
  afterAll(async () => w?.t.stop());

  it('runs the real paging path with DRILL first in every message and ends with a summary', async () => {
    const { t } = w;
    const d = await t.api('POST', '/api/v1/major-incidents', { service: 'checkout', title: 'Database failover', sev: 'SEV1', drill: true }, w.bob.token);
    expect(d.status).toBe(201);
    const n = d.body.incident.number as number;
    expect(d.body.incident).toMatchObject({ drill: true, major: true, incidentManagerId: w.ivy.id });
    // Carol's Slack fails: the summary must say so.
    t.slack.failNext(1, 'account_inactive');
    await t.cycle();
    await t.twilio.waitForMessage((m) => m.to === w.ivy.phone && m.body.includes(`#${n}`));

    await t.advance(30_000);
    expect((await t.api('POST', `/api/v1/incidents/${n}/chat`, { text: 'Failover drill: everyone join the bridge', priority: true }, w.ivy.token)).status).toBe(201);
    await t.cycle();
    await t.smtp.waitFor((m) => m.to.includes('bob@example.com') && m.text.includes('PRIORITY'));
    expect((await t.api('POST', `/api/v1/incidents/${n}/commands`, { text: '/ack' }, w.bob.token)).body.result.ok).toBe(true);
    expect((await t.api('POST', `/api/v1/incidents/${n}/commands`, { text: '/update "Failing over"' }, w.ivy.token)).body.result.ok).toBe(true);
    await t.advance(1000);
    expect((await t.api('POST', `/api/v1/incidents/${n}/commands`, { text: '/resolve' }, w.ivy.token)).body.result.ok).toBe(true);
    await t.cycle();

    // DRILL first in every message about it, on every channel.
    const sms = t.twilio.messages.filter((m) => m.to === w.ivy.phone && /#\d/.test(m.body) && !/verification/i.test(m.body));
    expect(sms.length).toBeGreaterThan(0);
    for (const m of sms) expect(m.body.startsWith('DRILL')).toBe(true);
    const mails = t.smtp.messages.filter((m) => m.to.includes('bob@example.com') && !/verification/i.test(m.subject));
    expect(mails.length).toBeGreaterThanOrEqual(2);
    for (const m of mails) expect(m.subject.startsWith('[DRILL]') || m.text.startsWith('DRILL')).toBe(true);

    const timeline = (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string }[];
    // The update is recorded, but no stakeholder is told about a drill.
    expect(mustFind(timeline, 'a status.update event', (e) => e.type === 'status.update').message).toContain('Failing over');
    expect(
      (await t.k.ctx.db.kysely.selectFrom('outbox').select('kind').where('incident_id', '=', d.body.incident.id).execute()).map((r) => r.kind).filter((k) => k !== 'page' && k !== 'reply'),
    ).toEqual([]);
    const summaryEvent = mustFind(timeline, 'a drill.summary event', (e) => e.type === 'drill.summary');
    expect(summaryEvent.message).toContain(`# DRILL summary: #${n} Database failover`);

    const s = (await t.api('GET', `/api/v1/incidents/${n}/drill-summary`)).body.summary;
    const byName = Object.fromEntries(s.paged.map((p: { name: string }) => [p.name, p]));
    expect(Object.keys(byName).sort()).toEqual(['Bob', 'Carol', 'Ivy']);
    expect(byName.Ivy.channels[0].channel).toBe('sms');
    expect(byName.Bob.channels[0].channel).toBe('email');
    expect(byName.Bob.acknowledgedAfterMs).toBe(30_000);
    expect(s.failedContactMethods).toMatchObject([{ name: 'Carol', channel: 'slack' }]);
    expect(s.markdown).toContain('| Bob | email (sent) | 30 s |');
  });
});
