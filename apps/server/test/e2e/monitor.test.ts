import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Monitor } from '../../src/cli/monitor.js';
import { must } from '../../src/lib/must.js';
import { capture, DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

/** Waits for I/O already under way (a webhook delivery, an HTTP answer), not for time to pass. */
async function until<T>(fn: () => T | Promise<T>): Promise<T> {
  for (let i = 0; i < 500; i++) {
    const v = await fn();
    if (v) return v;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error('condition not met');
}

describe.each(DIALECTS)('klaxon monitor against a real Klaxon (%s)', (dialect) => {
  let t: TestKlaxon;
  let monitor: Monitor;
  const lines: string[] = [];
  const webhookSecret = 'whsec-monitor-0123456789';

  beforeAll(async () => {
    t = await startTestKlaxon(dialect, { webhookSecret });
    monitor = new Monitor({
      klaxonUrl: t.url,
      integrationKey: 'placeholder',
      host: '127.0.0.1',
      port: 0,
      limitMs: 120_000,
      webhookSecret,
      twilio: { baseUrl: must(t.k.config.twilio, 't.k.config.twilio').baseUrl, accountSid: t.twilio.accountSid, authToken: t.twilio.authToken, from: t.twilio.phoneNumber, to: '+15557770000' },
      clock: t.clock,
      out: (l) => lines.push(l),
    });
    const port = await monitor.start();
    // The on-call person's webhook contact method points at the monitor; its code shows in the monitor's output.
    const u = await t.api('POST', '/api/v1/users', { email: 'watch@example.com', name: 'Watcher', role: 'responder', timeZone: 'UTC' });
    const cm = await t.api('POST', `/api/v1/users/${u.body.user.id}/contact-methods`, { name: 'monitor', type: 'webhook', address: `http://127.0.0.1:${port}/page` });
    expect(cm.status).toBe(201);
    await t.cycle();
    const code = capture(/: (\d+)/, must(await until(() => lines.find((l) => /verification code/.test(l))), 'the verification code line'));
    expect((await t.api('POST', `/api/v1/contact-methods/${cm.body.contactMethod.id}/verify`, { code })).status).toBe(200);
    expect((await t.api('POST', `/api/v1/users/${u.body.user.id}/notification-rules`, { contactMethodId: cm.body.contactMethod.id, delayMinutes: 0 })).status).toBe(201);
    const policy = await t.api('POST', '/api/v1/escalation-policies', { name: 'Watch', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: u.body.user.id }] }] });
    const svc = await t.api('POST', '/api/v1/services', { name: 'klaxon-watch', escalationPolicyId: policy.body.escalationPolicy.id });
    const key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'monitor', kind: 'generic' })).body.integration.key as string;
    (monitor as unknown as { o: { integrationKey: string } }).o.integrationKey = key;
  });
  afterAll(async () => {
    await monitor?.stop();
    await t?.stop();
  });

  const metric = async (name: string) => {
    const text = await monitor.registry.metrics();
    return text.split('\n').find((l) => l.startsWith(name)) ?? '';
  };

  it('a probe comes back as a page: round-trip time measured, the probe incident resolved, no SMS', async () => {
    const id = await monitor.probe();
    t.clock.advance(3_000);
    await t.cycle();
    await expect.poll(() => lines.some((l) => l.includes(`probe ${id}: page back in 3.0 s`))).toBe(true);
    expect(await metric('klaxon_monitor_last_round_trip_seconds')).toBe('klaxon_monitor_last_round_trip_seconds 3');
    expect(await metric('klaxon_monitor_probes_total{result="ok"}')).toBe('klaxon_monitor_probes_total{result="ok"} 1');
    await expect.poll(async () => (await t.api('GET', '/api/v1/incidents?status=triggered')).body.incidents.length).toBe(0);
    await monitor.check();
    expect(t.twilio.messages.filter((m) => m.to === '+15557770000')).toHaveLength(0);
  });

  it('a page that does not come back within the limit sends one SMS through Twilio directly', async () => {
    // No engine cycle runs, so the page is never sent: to the monitor, Klaxon is stuck.
    await monitor.probe();
    t.clock.advance(121_000);
    await monitor.check();
    const sms = t.twilio.messages.filter((m) => m.to === '+15557770000');
    expect(sms).toHaveLength(1);
    expect(must(sms[0], 'sms[0]').body).toMatch(/did not come back within 120 s/);
    expect(await metric('klaxon_monitor_probes_total{result="late"}')).toBe('klaxon_monitor_probes_total{result="late"} 1');
  });

  it('with Klaxon stopped, the probe is refused and the fallback SMS goes to the Twilio fake (once per outage)', async () => {
    // A probe that comes back ends the outage of the last test.
    const id = await monitor.probe();
    await t.cycle();
    await until(() => lines.some((l) => l.startsWith(`probe ${id}: page back`)));
    // Klaxon stops listening (its kept-alive connections closed with it).
    const closing = t.k.http.close();
    t.k.http.server.closeAllConnections();
    await closing;
    await monitor.probe();
    await monitor.probe();
    const sms = t.twilio.messages.filter((m) => m.to === '+15557770000');
    expect(sms).toHaveLength(2);
    expect(must(sms[1], 'sms[1]').body).toMatch(/did not accept the monitor's test alert/);
    expect(await metric('klaxon_monitor_probes_total{result="refused"}')).toBe('klaxon_monitor_probes_total{result="refused"} 2');
    expect(await metric('klaxon_monitor_fallback_sms_total{result="sent"}')).toBe('klaxon_monitor_fallback_sms_total{result="sent"} 2');
  });
});
