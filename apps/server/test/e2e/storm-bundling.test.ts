import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, capture, DIALECTS, mustFind, startTestKlaxon, type Responder, type TestKlaxon } from '../harness.js';
import type { FakeTwilioCall, FakeTwilioMessage } from '../fakes/twilio.js';
import { must } from '../../src/lib/must.js';

const MIN = 60_000;

// Storms that do not flood a phone (docs/paging.md, "Storms"): the default limits (SMS 5 per 15 min,
// voice 3 per 15 min and 7 an hour, email 10 per 15 min), bundles, acknowledge-all, timelines, trace.
describe.each(DIALECTS)('a storm of 20 incidents to one person (%s)', (dialect) => {
  let t: TestKlaxon;
  let maya: Responder;
  let noor: Responder;
  let stormKey: string;
  let quietKey: string;
  let callsBefore: number;
  const numbers: number[] = [];

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    maya = await addResponder(t, {
      name: 'Maya',
      email: 'maya@example.com',
      phone: '+15557770001',
      rules: [
        { type: 'sms', delayMinutes: 0 },
        { type: 'voice', delayMinutes: 0 },
        { type: 'email', delayMinutes: 0 },
      ],
    });
    noor = await addResponder(t, { name: 'Noor', email: 'noor@example.com', phone: '+15557770002', rules: [{ type: 'sms', delayMinutes: 0 }] });
    const key = async (name: string, user: string) => {
      const policy = await t.api('POST', '/api/v1/escalation-policies', { name, levels: [{ delayMinutes: 60, targets: [{ type: 'user', id: user }] }] });
      const svc = await t.api('POST', '/api/v1/services', { name, escalationPolicyId: policy.body.escalationPolicy.id });
      return (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'generic', kind: 'generic' })).body.integration.key as string;
    };
    stormKey = await key('checkout-api', maya.id);
    quietKey = await key('search', noor.id);
    callsBefore = t.twilio.calls.length;
  });
  afterAll(() => t?.stop());

  /** One request with one event per [dedup key, summary]: a batch opens its incidents in one transaction. */
  async function post(key: string, ...events: [string, string][]): Promise<void> {
    const r = await fetch(`${t.url}/integrations/v1/generic/${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(events.map(([dedupKey, summary]) => ({ dedup_key: dedupKey, summary, severity: 'critical' }))),
    });
    expect(r.status).toBe(202);
  }
  const storm = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i): [string, string] => [`s${from + i}`, `Storm incident ${from + i}`]);
  const pageSms = () => t.twilio.messages.filter((m: FakeTwilioMessage) => m.to === maya.phone && m.body.startsWith('Klaxon') && !/verification/i.test(m.body));
  const pageCalls = () => t.twilio.calls.slice(callsBefore).filter((c: FakeTwilioCall) => c.to === maya.phone);
  const pageMail = () => t.smtp.messages.filter((m) => m.to.includes('maya@example.com') && !/verification/i.test(m.subject));
  const timeline = async (n: number) => (await t.api('GET', `/api/v1/incidents/${n}/timeline`)).body.timeline as { type: string; message: string; channel?: string; actor: { name: string } }[];

  it('within the window: at most 5 SMS and 3 calls, every incident named in some message, the rest held', async () => {
    // Five incidents a second apart, each paged on its own (nothing else is due with it)...
    for (let i = 1; i <= 5; i++) {
      await post(stormKey, ...storm(i, i));
      await t.advance(1000);
    }
    // ...then fifteen at once: due in the same engine cycle.
    await post(stormKey, ...storm(6, 20));
    await t.advance(1000);
    const list = (await t.api('GET', '/api/v1/incidents?q=Storm%20incident&limit=50')).body.incidents as { number: number; title: string }[];
    numbers.push(...list.filter((i) => /^Storm incident/.test(i.title)).map((i) => i.number));
    expect(numbers).toHaveLength(20);

    expect(pageSms()).toHaveLength(5);
    expect(pageCalls()).toHaveLength(3);
    // Email (10 per 15 min): five pages on their own, then one message naming the fifteen.
    expect(pageMail()).toHaveLength(6);
    const bundleMail = mustFind(pageMail(), 'the bundle mail about 15 incidents', (m) => /15 new incidents on checkout-api/.test(m.subject));
    expect(bundleMail).toBeDefined();
    const named = new Set<number>();
    for (const m of [...pageSms().map((s) => s.body), ...pageMail().map((e) => `${e.subject}\n${e.text}`)]) for (const x of m.matchAll(/#(\d+) /g)) named.add(Number(x[1]));
    for (const n of numbers) expect(named.has(n), `incident #${n} named`).toBe(true);

    // An incident held on SMS says so on its timeline, and went out by email in the bundle.
    const last = Math.max(...numbers);
    const tl = await timeline(last);
    expect(tl.filter((e) => e.type === 'notification.held').map((e) => e.message)).toEqual(
      expect.arrayContaining([expect.stringMatching(/^Held the page to Maya by sms \(sms\): its limit of 5 per 15 min is reached/), expect.stringMatching(/^Held the page to Maya by voice/)]),
    );
    expect(tl.find((e) => e.type === 'notification.bundled')?.message).toMatch(/^Paged Maya by email \(maya@example.com\) in one message about 15 incidents/);
    // The trace says held, and sent in a bundle.
    const trace = (await t.api('GET', `/api/v1/incidents/${last}/trace`)).body.trace;
    const sms = trace.deliveries.find((d: { channel: string }) => d.channel === 'sms');
    expect(sms).toMatchObject({ decision: 'pending', heldAt: expect.any(Number) });
    const email = trace.deliveries.find((d: { channel: string }) => d.channel === 'email');
    expect(email.messages[0]).toMatchObject({ status: 'sent', bundle: { incidents: 15 } });

    // Nothing more reaches the phone while the window lasts.
    await t.advance(10 * MIN);
    expect(pageSms()).toHaveLength(5);
    expect(pageCalls()).toHaveLength(3);
  });

  it('after the window the held pages go out as one bundle per channel; an SMS reply "A" acknowledges every incident in it as Maya', async () => {
    await t.advance(5 * MIN); // 15 minutes after the first SMS and call
    expect(pageSms()).toHaveLength(6);
    const bundle = must(pageSms()[5], 'pageSms()[5]');
    expect(bundle.body).toMatch(/^Klaxon: 15 new incidents on checkout-api: #\d+ Storm incident 6; /);
    expect(bundle.body).toMatch(/Reply A to ack all 15$/);
    expect(bundle.body.length).toBeLessThanOrEqual(459);
    // Voice: the two held since the third call and the fifteen, read as a count and the first few.
    expect(pageCalls()).toHaveLength(4);
    const twiml = await t.twilio.fetchTwiml(must(pageCalls()[3], 'pageCalls()[3]'));
    expect(twiml).toContain('17 new incidents on checkout-api.');
    expect(twiml).toContain('Press 4 to acknowledge all 17.');

    const answer = await t.twilio.sendInboundSms({ to: `${t.url}/integrations/v1/twilio/sms`, from: maya.phone, body: 'A' });
    expect(answer.status).toBe(200);
    expect(answer.body).toContain('Acknowledged 15 incidents');
    const sorted = [...numbers].sort((a, b) => a - b);
    for (const n of sorted.slice(5)) {
      const inc = (await t.api('GET', `/api/v1/incidents/${n}`)).body.incident;
      expect(inc, `#${n}`).toMatchObject({ status: 'acknowledged', acknowledgedBy: maya.id });
      const tl = await timeline(n);
      expect(tl.find((e) => e.type === 'incident.acknowledged')).toMatchObject({ channel: 'sms', actor: { name: 'Maya' } });
      expect(tl.filter((e) => e.type === 'notification.bundled').map((e) => e.message)).toEqual(
        expect.arrayContaining([expect.stringMatching(/^Paged Maya by sms \(\+15…0001\) in one message about 15 incidents/)]),
      );
    }
    // The report counts a page in a bundle as a page (one per channel here: the e-mail, SMS and call bundles).
    const last = must(sorted[19], 'sorted[19]');
    expect((await t.api('POST', `/api/v1/incidents/${last}/resolve`, undefined, maya.token)).status).toBe(200);
    const measures = (await t.api('GET', `/api/v1/reports/incidents/${last}/measures`)).body.measures;
    expect(measures.pagesByChannel).toEqual({ email: 1, sms: 1, voice: 1 });
    // The first five were paged on their own and are still open.
    for (const n of sorted.slice(0, 5)) expect((await t.api('GET', `/api/v1/incidents/${n}`)).body.incident.status).toBe('triggered');

    // Key 4 on the bundled call acknowledges the two still open (the fifteen already are).
    const final = await t.twilio.answerCall(must(pageCalls()[3], 'pageCalls()[3]'), '4');
    expect(final).toContain('Acknowledged 2 incidents');
    for (const n of sorted.slice(3, 5)) {
      const tl = await timeline(n);
      expect(tl.find((e) => e.type === 'incident.acknowledged')).toMatchObject({ channel: 'voice', actor: { name: 'Maya' } });
    }
  });

  it('the email bundle link acknowledges every incident of its message, as Maya', async () => {
    await post(stormKey, ...storm(21, 23));
    await t.advance(1000);
    const mail = mustFind(pageMail(), 'the bundle mail about 3 incidents', (m) => /3 new incidents on checkout-api/.test(m.subject));
    expect(mail).toBeDefined();
    const link = capture(/Acknowledge all 3: (\S+)/, mail.text);
    const page = await fetch(link);
    expect(await page.text()).toContain('Acknowledge all 3');
    const done = await fetch(link, { method: 'POST' });
    expect(done.status).toBe(200);
    expect(await done.text()).toContain('Acknowledged 3 incidents');
    const open = (await t.api('GET', '/api/v1/incidents?status=triggered&limit=50')).body.incidents as { title: string }[];
    expect(open.filter((i) => /Storm incident 2[123]/.test(i.title))).toHaveLength(0);
  });

  it('a bundle that fails is on the timeline of every incident in it', async () => {
    t.twilio.failNext(2, 400, { code: 21211, message: "The 'To' number is not a valid phone number." });
    await post(stormKey, ...storm(24, 25));
    await t.advance(1000);
    const list = (await t.api('GET', '/api/v1/incidents?q=Storm%20incident%202&limit=50')).body.incidents as { number: number; title: string }[];
    for (const title of ['Storm incident 24', 'Storm incident 25']) {
      const n = mustFind(list, `the incident ${title}`, (i) => i.title === title).number;
      const failed = (await timeline(n)).filter((e) => e.type === 'notification.failed' && / by sms /.test(e.message));
      expect(failed, title).toHaveLength(1);
      expect(must(failed[0], 'failed[0]').message).toMatch(/giving up$/);
    }
  });

  it('a single incident still pages at once, on its own', async () => {
    const before = t.twilio.messages.length;
    await post(quietKey, ['q1', 'Search index stale']);
    await t.cycle();
    const sms = t.twilio.messages.slice(before).filter((m) => m.to === noor.phone);
    expect(sms).toHaveLength(1);
    expect(must(sms[0], 'sms[0]').body).toMatch(/^Klaxon #\d+ CRITICAL search: Search index stale\. Reply \d+A to ack, \d+R to resolve$/);
  });
});

describe.each(DIALECTS)('limits from the configuration, bundling off (%s)', (dialect) => {
  let t: TestKlaxon;
  let ada: Responder;
  let key: string;

  beforeAll(async () => {
    // As KLAXON_PAGE_RATE_LIMITS=sms=1/1m and KLAXON_PAGE_BUNDLING=false would set them.
    t = await startTestKlaxon(dialect, { pageLimits: { sms: [{ count: 1, windowMs: MIN }] }, pageBundling: false });
    ada = await addResponder(t, { name: 'Ada', email: 'ada@example.com', phone: '+15557770003', rules: [{ type: 'sms', delayMinutes: 0 }] });
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'p', levels: [{ delayMinutes: 60, targets: [{ type: 'user', id: ada.id }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'ledger', escalationPolicyId: policy.body.escalationPolicy.id });
    key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'generic', kind: 'generic' })).body.integration.key;
  });
  afterAll(() => t?.stop());

  it('one SMS a minute, each about one incident, none dropped', async () => {
    const r = await fetch(`${t.url}/integrations/v1/generic/${key}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([1, 2, 3].map((i) => ({ dedup_key: `l${i}`, summary: `Ledger ${i}`, severity: 'critical' }))),
    });
    expect(r.status).toBe(202);
    await t.cycle();
    const pages = () => t.twilio.messages.filter((m) => m.to === ada.phone && /^Klaxon #/.test(m.body));
    expect(pages()).toHaveLength(1);
    // The two not yet paged: the trace says they are held back by the rate limit.
    const list = (await t.api('GET', '/api/v1/incidents?q=Ledger&limit=10')).body.incidents as { id: string }[];
    const traces = await Promise.all(list.map(async (i) => (await t.api('GET', `/api/v1/incidents/${i.id}/trace`)).body.trace));
    const held = traces.filter((tr) => !tr.paged);
    expect(held).toHaveLength(2);
    for (const tr of held) {
      expect(tr.why).toBe('Nobody was paged: pages held back by the rate limit until it has room, for Ada (sms)');
      expect(tr.deliveries[0]).toMatchObject({ channel: 'sms', decision: 'pending', heldAt: expect.any(Number) });
    }
    await t.advance(30_000);
    expect(pages()).toHaveLength(1);
    await t.advance(30_000);
    expect(pages()).toHaveLength(2);
    await t.advance(MIN);
    expect(pages()).toHaveLength(3);
    expect(
      pages()
        .map((m) => capture(/Ledger \d/, m.body, 0))
        .sort(),
    ).toEqual(['Ledger 1', 'Ledger 2', 'Ledger 3']);
  });
});
