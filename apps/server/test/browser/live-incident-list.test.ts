import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPagedService, addUser, HAVE_CHROMIUM, newPage, signIn, startRig, trigger, waitLive, type WebRig } from './support.js';

describe.skipIf(!HAVE_CHROMIUM)('web: an event posted to /v2/enqueue appears in the incident list without a reload', () => {
  let rig: WebRig;
  let routingKey: string;
  beforeAll(async () => {
    rig = await startRig();
    const maya = await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor' });
    ({ routingKey } = await addPagedService(rig.t, { name: 'orders-db', userIds: [maya] }));
  });
  afterAll(async () => rig?.stop());

  it('shows the new incident live, then its acknowledgement from elsewhere, in the same page load', async () => {
    const { context, page } = await newPage(rig.browser, 'desktop');
    await signIn(page, rig.t.url, 'maya@example.com');
    await waitLive(page);
    await page.getByText('All quiet: nothing is open.').waitFor();
    // A marker on window: it survives only if the page is never reloaded.
    await page.evaluate(() => ((window as unknown as { __marker: number }).__marker = 42));

    await trigger(rig.t, routingKey, 'Replication lag above 300 s on replica 2', { dedupKey: 'lag-2' });
    const row = page.getByTestId('incident-row').filter({ hasText: 'Replication lag above 300 s on replica 2' });
    await row.waitFor({ timeout: 10_000 });
    expect(await row.getAttribute('data-status')).toBe('triggered');

    // Acknowledged through the API (another responder): the row changes in place.
    const number = Number(await row.getAttribute('data-number'));
    expect((await rig.t.api('POST', `/api/v1/incidents/${number}/acknowledge`)).status).toBe(200);
    await expect.poll(() => row.getAttribute('data-status'), { timeout: 10_000 }).toBe('acknowledged');

    expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker)).toBe(42);
    await context.close();
  });
});
