import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPagedService, addUser, HAVE_CHROMIUM, newPage, signIn, startRig, trigger, waitLive, type WebRig } from './support.js';

describe.skipIf(!HAVE_CHROMIUM)('web: acknowledge from the incident page, seen live in a second browser', () => {
  let rig: WebRig;
  let routingKey: string;
  beforeAll(async () => {
    rig = await startRig();
    const maya = await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'responder' });
    await addUser(rig.t, { email: 'sam@example.com', name: 'Sam Lindqvist', role: 'responder' });
    ({ routingKey } = await addPagedService(rig.t, { name: 'checkout-api', userIds: [maya] }));
    await trigger(rig.t, routingKey, 'Checkout error rate above 5%', { dedupKey: 'err-rate' });
    await rig.t.cycle();
  });
  afterAll(async () => rig?.stop());

  it('Maya acknowledges on her phone; Sam, on a desktop, sees the incident and its timeline change', async () => {
    const phone = await newPage(rig.browser, 'phone');
    const desk = await newPage(rig.browser, 'desktop');
    await signIn(phone.page, rig.t.url, 'maya@example.com');
    await signIn(desk.page, rig.t.url, 'sam@example.com');

    await phone.page.getByTestId('incident-row').filter({ hasText: 'Checkout error rate above 5%' }).click();
    // Sam is on no policy: the incident is not his, so he looks at everyone's (Mine is a responder's default).
    await desk.page.goto(`${rig.t.url}/incidents?view=all`);
    await desk.page.getByTestId('incident-row').filter({ hasText: 'Checkout error rate above 5%' }).click();
    await phone.page.getByTestId('incident-page').waitFor();
    await desk.page.getByTestId('incident-page').waitFor();
    expect(await desk.page.getByTestId('incident-page').getAttribute('data-status')).toBe('triggered');
    await waitLive(desk.page);

    await phone.page.getByTestId('ack-button').click();
    await expect.poll(() => phone.page.getByTestId('incident-page').getAttribute('data-status')).toBe('acknowledged');

    // The second browser changes without a reload: status, who acknowledged, and the timeline entry.
    await expect.poll(() => desk.page.getByTestId('incident-page').getAttribute('data-status'), { timeout: 10_000 }).toBe('acknowledged');
    await expect.poll(() => desk.page.getByTestId('acked-by').textContent()).toContain('Maya Okafor');
    await desk.page.getByTestId('timeline').getByText('Maya Okafor acknowledged').waitFor({ timeout: 10_000 });
    // Acknowledge keeps its place, disabled (nothing moves under a finger: see hazards-web.test.ts).
    expect(await desk.page.getByTestId('ack-button').getAttribute('data-state')).toBe('acknowledged');
    expect(await desk.page.getByTestId('ack-button').isDisabled()).toBe(true);

    const inc = await rig.t.api('GET', '/api/v1/incidents/1');
    expect(inc.body.incident.status).toBe('acknowledged');
    await phone.context.close();
    await desk.context.close();
  });
});
