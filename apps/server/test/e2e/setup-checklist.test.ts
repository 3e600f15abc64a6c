import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS, mustFind, startTestKlaxon, type TestKlaxon } from '../harness.js';
import { declaredIncident, triggerAlert, warRoomWorld, type WarRoomWorld } from './warroom-setup.js';
import { must } from '../../src/lib/must.js';

type Step = { id: string; done: boolean; detail: string; link: string };
const step = (b: { steps: Step[] }, id: string) => mustFind(b.steps, `step ${id}`, (s) => s.id === id);

describe.each(DIALECTS)('setup: channels and the checklist of what still pages nobody (%s)', (dialect) => {
  let t: TestKlaxon;
  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
  });
  afterAll(() => t?.stop());

  it('GET /channels names the configured channels and the settings of each, never a secret', async () => {
    const r = await t.api('GET', '/api/v1/channels');
    expect(r.status).toBe(200);
    const by = Object.fromEntries((r.body.channels as { channel: string; configured: boolean; settings: string[] }[]).map((c) => [c.channel, c]));
    expect(by.email).toEqual({ channel: 'email', configured: true, settings: ['KLAXON_SMTP_URL', 'KLAXON_EMAIL_FROM'] });
    expect(must(by.sms, 'by.sms').configured).toBe(true);
    expect(must(by.slack, 'by.slack').configured).toBe(true);
    const text = JSON.stringify(r.body);
    for (const secret of [must(t.k.config.twilio, 't.k.config.twilio').authToken, must(t.k.config.slack, 't.k.config.slack').botToken, must(t.k.config.smtp, 't.k.config.smtp').url])
      expect(text).not.toContain(secret);
    expect((await fetch(`${t.url}/api/v1/channels`)).status).toBe(401);
  });

  it('the checklist follows the state: fresh, then each step done as it is set up, and a service that pages nobody is named', async () => {
    let c = (await t.api('GET', '/api/v1/setup/checklist')).body;
    expect(c.steps.map((s: Step) => s.id)).toEqual(['channels', 'people', 'schedule', 'policy', 'service']);
    expect(step(c, 'channels').done).toBe(true);
    expect(step(c, 'people')).toMatchObject({ done: false, link: '/people/users' });
    expect(step(c, 'schedule')).toMatchObject({ done: false, detail: 'No schedule yet.', link: '/schedules' });
    expect(step(c, 'policy')).toMatchObject({ done: false, link: '/escalation-policies' });
    expect(step(c, 'service')).toMatchObject({ done: false, link: '/services' });
    expect(c.done).toBe(false);

    const ann = await addResponder(t, { name: 'Ann', email: 'ann@example.com', phone: '+15556660001', rules: [{ type: 'sms', delayMinutes: 0 }] });
    c = (await t.api('GET', '/api/v1/setup/checklist')).body;
    expect(step(c, 'people').done).toBe(true);
    expect(step(c, 'people').detail).toMatch(/^1 of 2 people have a verified contact method; not yet: Admin\.$/);

    // A rotation that starts tomorrow: nobody on call now (the clock is 2026-03-02T09:00Z).
    const s = await t.api('POST', '/api/v1/schedules', { name: 'Primary', timeZone: 'UTC', layers: [{ participants: [ann.email], turn: { unit: 'week', count: 1 }, start: '2026-03-03T09:00' }] });
    expect(s.status).toBe(201);
    c = (await t.api('GET', '/api/v1/setup/checklist')).body;
    expect(step(c, 'schedule')).toMatchObject({ done: false, detail: 'Nobody is on call now in Primary (a new rotation may start later).' });

    const p = await t.api('POST', '/api/v1/escalation-policies', { name: 'Primary on call', levels: [{ delayMinutes: 5, targets: [{ type: 'schedule', id: s.body.schedule.id }] }] });
    await t.api('POST', '/api/v1/services', { name: 'checkout', escalationPolicyId: p.body.escalationPolicy.id });
    await t.api('POST', '/api/v1/services', { name: 'billing' });
    c = (await t.api('GET', '/api/v1/setup/checklist')).body;
    expect(step(c, 'policy').done).toBe(true);
    expect(step(c, 'service')).toMatchObject({ done: false, detail: 'Pages nobody now (no policy, or nobody reachable on it): billing, checkout.' });

    // The rotation starts: Ann is on call, checkout pages her.
    await t.advance(24 * 3600_000);
    c = (await t.api('GET', '/api/v1/setup/checklist')).body;
    expect(step(c, 'schedule')).toMatchObject({ done: true, detail: 'On call now: Primary.' });
    expect(step(c, 'service')).toMatchObject({ done: true, detail: 'Pages someone now: checkout. Pages nobody now (no policy, or nobody reachable on it): billing.' });
    expect(c.done).toBe(true);
  });
});

describe.each(DIALECTS)('setup: a server without SMTP says email is not configured (%s)', (dialect) => {
  let t: TestKlaxon;
  beforeAll(async () => {
    t = await startTestKlaxon(dialect, { smtp: undefined, twilio: undefined, slack: undefined });
  });
  afterAll(() => t?.stop());

  it('channels: email, SMS and voice not configured; the checklist says so with the settings to set', async () => {
    const r = await t.api('GET', '/api/v1/channels');
    expect((r.body.channels as { channel: string; configured: boolean }[]).filter((c) => c.configured).map((c) => c.channel)).toEqual(['push', 'ntfy']);
    const c = (await t.api('GET', '/api/v1/setup/checklist')).body;
    expect(step(c, 'channels')).toMatchObject({
      done: false,
      detail: 'Nothing but push (web push, ntfy) is configured: set KLAXON_SMTP_URL and KLAXON_EMAIL_FROM for email, or an SMS and voice provider (Twilio, Vonage, Plivo or Telnyx), and restart.',
    });
  });
});

describe.each(DIALECTS)('declare preview: who declaring major would page, before anyone confirms (%s)', (dialect) => {
  let w: WarRoomWorld;
  beforeAll(async () => {
    w = await warRoomWorld(dialect);
  });
  afterAll(() => w?.t.stop());

  it('names the incident manager and the people paged, changes nothing, and declaring pages exactly them', async () => {
    const n = await triggerAlert(w, 'Checkout down for everyone');
    const r = await w.t.api('GET', `/api/v1/incidents/${n}/declare-preview?sev=SEV1`, undefined, w.bob.token);
    expect(r.status).toBe(200);
    expect(r.body.preview).toEqual({
      sev: 'SEV1',
      incidentManager: { id: w.ivy.id, name: 'Ivy', why: 'on call for Incident managers' },
      paged: [
        { id: w.ivy.id, name: 'Ivy' },
        { id: w.carol.id, name: 'Carol' },
      ],
      notes: [],
      alreadyMajor: false,
    });
    expect((await w.t.api('GET', `/api/v1/incidents/${n}`)).body.incident.major).toBe(false);
    // A level without a policy pages only the IM.
    const sev2 = (await w.t.api('GET', `/api/v1/incidents/${n}/declare-preview?sev=SEV2`, undefined, w.bob.token)).body.preview;
    expect(sev2.paged).toEqual([{ id: w.ivy.id, name: 'Ivy' }]);

    const d = await w.t.api('POST', '/api/v1/major-incidents', { incident: String(n), sev: 'SEV1' }, w.bob.token);
    expect(d.status).toBe(201);
    const events = (await w.t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; data: { paged?: { userId: string }[] } }[];
    const page = mustFind(events, 'a page.manual event', (e) => e.type === 'page.manual');
    expect(must(page.data.paged, 'the people paged').map((p) => p.userId)).toEqual(r.body.preview.paged.map((p: { id: string }) => p.id));
  });

  it('bad input is a 4xx: unknown level 400, unknown incident 404, stakeholder 403', async () => {
    const n = await declaredIncident(w, 'Already major');
    expect((await w.t.api('GET', `/api/v1/incidents/${n}/declare-preview`)).body.preview.alreadyMajor).toBe(true);
    expect((await w.t.api('GET', `/api/v1/incidents/${n}/declare-preview?sev=SEV9`)).status).toBe(400);
    expect((await w.t.api('GET', '/api/v1/incidents/424242/declare-preview')).status).toBe(404);
    expect((await w.t.api('GET', `/api/v1/incidents/${n}/declare-preview`, undefined, w.stakeholderToken)).status).toBe(403);
  });
});
