import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPagedService, addUser, HAVE_CHROMIUM, newPage, signIn, startRig, trigger, type WebRig } from './support.js';

describe.skipIf(!HAVE_CHROMIUM)('web: reassign an incident from its page, on a phone', () => {
  let rig: WebRig;
  let sam: string;
  beforeAll(async () => {
    rig = await startRig();
    const maya = await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'responder' });
    sam = await addUser(rig.t, { email: 'sam@example.com', name: 'Sam Lindqvist', role: 'responder' });
    await addUser(rig.t, { email: 'vic@example.com', name: 'Vic Viewer', role: 'viewer' });
    const { routingKey } = await addPagedService(rig.t, { name: 'search-api', userIds: [maya] });
    await trigger(rig.t, routingKey, 'Search latency p99 above 2s', { dedupKey: 'search-p99' });
    await rig.t.cycle();
    await rig.t.api('POST', '/api/v1/incidents/1/acknowledge');
  });
  afterAll(async () => rig?.stop());

  it('Maya hands her acknowledged incident to Sam: it is triggered again, assigned through Sam, and the timeline says so', async () => {
    const { page, context } = await newPage(rig.browser, 'phone');
    await signIn(page, rig.t.url, 'maya@example.com');
    await page.goto(`${rig.t.url}/incidents/1`);
    await page.getByTestId('incident-page').waitFor();
    expect(await page.getByTestId('incident-page').getAttribute('data-status')).toBe('acknowledged');

    await page.getByTestId('more-button').click(); // Reassign is under More (docs/web.md)
    await page.getByTestId('reassign-button').click();
    const confirm = page.getByTestId('reassign-confirm');
    expect(await confirm.isDisabled()).toBe(true);
    await page.getByTestId('reassign-target').click();
    // Viewers cannot respond: they are not offered.
    expect(await page.getByRole('option', { name: /Vic Viewer/ }).count()).toBe(0);
    await page.getByRole('option', { name: /Sam Lindqvist/ }).click();
    await confirm.click();

    await expect.poll(() => page.getByTestId('incident-page').getAttribute('data-status')).toBe('triggered');
    await page.getByTestId('timeline').getByText('Maya Okafor reassigned the incident to Sam Lindqvist').waitFor({ timeout: 10_000 });
    const inc = await rig.t.api('GET', '/api/v1/incidents/1');
    expect(inc.body.incident).toMatchObject({ status: 'triggered', escalationPolicyName: 'Sam Lindqvist, then search-api policy' });
    const timeline = await rig.t.api('GET', '/api/v1/incidents/1/timeline');
    expect(timeline.body.timeline.find((e: { type: string }) => e.type === 'incident.reassigned')).toMatchObject({ data: { userId: sam } });
    await context.close();
  });
});
