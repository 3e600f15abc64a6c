import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder } from '../harness.js';
import { addUser, HAVE_CHROMIUM, newPage, signIn, startRig, trigger, type WebRig } from './support.js';

// The policy editor's level conditions and the incident's "Why" (trace) view, at 1280 and 390 px.
describe.skipIf(!HAVE_CHROMIUM)('web: level conditions in the policy editor, and the trace of an incident', () => {
  let rig: WebRig;
  let key = '';
  beforeAll(async () => {
    rig = await startRig();
    const { t } = rig;
    await addUser(t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'admin' });
    const sam = await addResponder(t, { name: 'Sam Lindqvist', email: 'sam@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    const p = await t.api('POST', '/api/v1/escalation-policies', {
      name: 'Critical only',
      levels: [{ delayMinutes: 10, targets: [{ type: 'user', id: sam.id }], condition: { severity: ['critical'] } }],
    });
    const s = await t.api('POST', '/api/v1/services', { name: 'db', escalationPolicyId: p.body.escalationPolicy.id });
    key = (await t.api('POST', `/api/v1/services/${s.body.service.id}/integrations`, { name: 'pagerduty', kind: 'pagerduty' })).body.integration.key;
  });
  afterAll(async () => rig?.stop());

  it('at 1280 px: a night-only-critical condition and round robin set in the editor are saved', async () => {
    const { context, page } = await newPage(rig.browser, 'desktop');
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(page, rig.t.url, 'maya@example.com');
    await page.goto(`${rig.t.url}/escalation-policies/new`);
    await page.getByTestId('policy-name').fill('Nights');
    await page.getByTestId('level-0-targets').click();
    await page.getByRole('option', { name: 'Sam Lindqvist' }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('level-0-zone').fill('Europe/Berlin');
    await page.getByTestId('level-0-from').fill('22:00');
    await page.getByTestId('level-0-until').fill('07:00');
    await page.getByTestId('level-0-severity').click();
    await page.getByRole('option', { name: 'critical' }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('level-0-round-robin').check({ force: true });
    await page.getByTestId('policy-save').click();
    await expect
      .poll(async () => (await rig.t.api('GET', '/api/v1/escalation-policies/Nights')).body.escalationPolicy?.levels[0])
      .toMatchObject({ condition: { timeZone: 'Europe/Berlin', between: { start: '22:00', end: '07:00' }, severity: ['critical'] }, roundRobin: true });
    await context.close();
  });

  it('at 1280 px: an unknown zone is shown under the zone field', async () => {
    const { context, page } = await newPage(rig.browser, 'desktop');
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(page, rig.t.url, 'maya@example.com');
    await page.goto(`${rig.t.url}/escalation-policies/new`);
    await page.getByTestId('policy-name').fill('Bad zone');
    await page.getByTestId('level-0-targets').click();
    await page.getByRole('option', { name: 'Sam Lindqvist' }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('level-0-zone').fill('Mars/Olympus');
    await page.getByTestId('level-0-days').click();
    await page.getByRole('option', { name: 'mon' }).click();
    await page.keyboard.press('Escape');
    await page.getByTestId('policy-save').click();
    await expect.poll(() => page.getByTestId('level-0-condition').textContent()).toContain('unknown time zone Mars/Olympus');
    await context.close();
  });

  it('at 390 px: the Why tab of a warning says the level was skipped and why, with no event rules, and fits the screen', async () => {
    await trigger(rig.t, key, 'Disk filling on db-2', { severity: 'warning' });
    await rig.t.cycle();
    await rig.t.cycle();
    const list = await rig.t.api('GET', '/api/v1/incidents?limit=10');
    const inc = list.body.incidents.find((i: { title: string }) => i.title === 'Disk filling on db-2');
    const { context, page } = await newPage(rig.browser, 'phone');
    await signIn(page, rig.t.url, 'maya@example.com');
    await page.goto(`${rig.t.url}/incidents/${inc.number}`);
    await page.getByTestId('why-tab').click();
    await expect.poll(() => page.getByTestId('trace-why').textContent()).toBe('Nobody was paged: level 1 skipped (severity is warning, not critical)');
    expect(await page.getByTestId('trace-no-rules').textContent()).toBe('No event rules');
    expect(await page.getByTestId('trace-decisions').textContent()).toContain('skipped: its condition does not hold');
    expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    await context.close();
  });

  it('at 1280 px: the Why tab of a paged incident names who was paged and the delivery', async () => {
    await trigger(rig.t, key, 'Disk full on db-1', { severity: 'critical' });
    await rig.t.cycle();
    await rig.t.smtp.waitFor((m) => m.subject.includes('Disk full on db-1'));
    await rig.t.cycle();
    const list = await rig.t.api('GET', '/api/v1/incidents?limit=10');
    const inc = list.body.incidents.find((i: { title: string }) => i.title === 'Disk full on db-1');
    const { context, page } = await newPage(rig.browser, 'desktop');
    await page.setViewportSize({ width: 1280, height: 900 });
    await signIn(page, rig.t.url, 'maya@example.com');
    await page.goto(`${rig.t.url}/incidents/${inc.number}`);
    await page.getByTestId('why-tab').click();
    await expect.poll(() => page.getByTestId('trace-why').textContent()).toBe('Paged Sam Lindqvist (email)');
    expect(await page.getByTestId('trace-deliveries').textContent()).toMatch(/Sam Lindqvist by email .*queued; message sent, attempt sent/);
    await context.close();
  });
});
