import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS } from '../harness.js';
import { declaredIncident, warRoomWorld, type WarRoomWorld } from './warroom-setup.js';

const DAY = 86_400_000;

describe.each(DIALECTS)('runbooks (%s)', (dialect) => {
  let w: WarRoomWorld;
  beforeAll(async () => {
    w = await warRoomWorld(dialect);
  });
  afterAll(async () => w?.t.stop());

  it('are shown in the war room, flagged stale after the review period, and the owner is told once', async () => {
    const { t } = w;
    expect((await t.api('PATCH', '/api/v1/war-room/settings', { runbookStaleDays: 30 })).status).toBe(200);
    const rb = await t.api('POST', '/api/v1/runbooks', { service: 'checkout', title: 'Checkout down', body: '# Steps\n1. Check the load balancer', owner: 'bob@example.com' });
    expect(rb.body.runbook.stale).toBe(false);
    const n = await declaredIncident(w, 'Checkout 503s');
    expect((await t.api('GET', `/api/v1/incidents/${n}/runbooks`, undefined, w.carol.token)).body.runbooks).toMatchObject([{ title: 'Checkout down', stale: false }]);

    await t.advance(31 * DAY);
    const mail = await t.smtp.waitFor((m) => m.to.includes('bob@example.com') && m.text.includes('is stale'));
    expect(mail.text).toContain('"Checkout down" of checkout');
    await t.advance(DAY);
    expect(t.smtp.messages.filter((m) => m.text.includes('is stale'))).toHaveLength(1);
    expect((await t.api('POST', `/api/v1/incidents/${n}/commands`, { text: '/runbook' }, w.carol.token)).body.result.text).toContain('Checkout down (STALE');
    expect((await t.api('POST', `/api/v1/runbooks/${rb.body.runbook.id}/review`, undefined, w.carol.token)).status).toBe(403);
    expect((await t.api('POST', `/api/v1/runbooks/${rb.body.runbook.id}/review`, undefined, w.bob.token)).body.runbook.stale).toBe(false);
  });
});
