import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

/**
 * What a status page reads of the resolved incidents: since it reads them by index (the ones with a
 * severity level, and the published ones) instead of every incident of its 90 days, each kind is
 * checked here: a severity level colours the day and lowers the uptime; a published incident without
 * one is listed among the past incidents; one neither published nor with a severity level changes
 * nothing. And a resolution shows within a second, from the page's cheap fingerprint.
 */
describe.each(DIALECTS)('a status page and the incidents resolved in its 90 days (%s)', (dialect) => {
  let t: TestKlaxon;
  const keys: Record<string, string> = {};
  let incidents = 0;

  /** The page as the public sees it after `ms` of clock time (the cache trusts a page for a second). */
  const page = async (ms = 1_100) => {
    await t.advance(ms);
    const res = await fetch(`${t.url}/status`);
    expect(res.status).toBe(200);
    return res.text();
  };
  /** The component section of `name` on the page. */
  const component = (html: string, name: string) => {
    const m = new RegExp(`<section class="card"><div class="comp"><span>${name}</span>.*?</section>`).exec(html);
    expect(m, `component ${name}`).not.toBeNull();
    return m?.[0] ?? '';
  };
  /** Opens an incident on `service` and returns its number. */
  const open = async (service: string, summary: string) => {
    const res = await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ routing_key: keys[service], event_action: 'trigger', dedup_key: summary, payload: { summary, source: 'mon', severity: 'critical' } }),
    });
    expect(res.status).toBe(202);
    await t.cycle();
    return ++incidents;
  };
  const resolve = async (n: number) => expect((await t.api('POST', `/api/v1/incidents/${n}/resolve`, {})).status).toBe(200);

  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    for (const name of ['alpha', 'beta', 'gamma']) {
      const svc = await t.api('POST', '/api/v1/services', { name: `${name}-api` });
      expect(svc.status).toBe(201);
      keys[name] = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
      expect((await t.api('POST', '/api/v1/business-services', { name: name[0]?.toUpperCase() + name.slice(1), serviceIds: [`${name}-api`] })).status).toBe(201);
    }
    expect((await t.api('PUT', '/api/v1/status-pages', { slug: 'main', name: 'Status', isDefault: true, businessServiceIds: ['Alpha', 'Beta', 'Gamma'] })).status).toBe(200);
  });
  afterAll(() => t?.stop());

  it('a resolved incident with a severity level colours its day and lowers the uptime; the page shows its resolution within a second', async () => {
    const n = await open('alpha', 'alpha down');
    expect((await t.api('POST', `/api/v1/incidents/${n}/severity`, { sev: 'SEV1' })).status).toBe(200);
    await t.advance(30 * 60_000);
    expect(component(await page(), 'Alpha')).toContain('data-state="major_outage"');
    await resolve(n);
    // A second later, not the minute after which any cached page is built again.
    const alpha = component(await page(), 'Alpha');
    expect(alpha).toContain('data-state="operational"');
    const today = new Date(t.clock.now()).toISOString().slice(0, 10);
    expect(alpha).toContain(`title="${today}: Major outage"`);
    expect(alpha).not.toContain('100% uptime');
  });

  it('a resolved incident without a severity level is listed when it was published, and changes nothing when it was not', async () => {
    const published = await open('beta', 'beta slow');
    const update = await t.api('POST', `/api/v1/incidents/${published}/status-updates`, {
      phase: 'identified',
      message: 'Beta is slow; a fix is on its way.',
      public: true,
      publicTitle: 'Beta is slow',
    });
    expect(update.status).toBe(201);
    await resolve(published);
    const quiet = await open('gamma', 'gamma blip');
    await resolve(quiet);

    const html = await page();
    const past = html.slice(html.indexOf('<h2>Past incidents</h2>'));
    expect(past).toContain('Beta is slow');
    expect(past).not.toContain('gamma blip');
    for (const name of ['Beta', 'Gamma']) {
      const c = component(html, name);
      expect(c).toContain('data-state="operational"');
      expect(c).toContain('100% uptime');
      expect(c).not.toContain('title=');
    }
  });
});
