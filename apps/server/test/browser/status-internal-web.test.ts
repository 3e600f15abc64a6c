import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPagedService, addUser, HAVE_CHROMIUM, newPage, signIn, startRig, trigger, type WebRig } from './support.js';

describe.skipIf(!HAVE_CHROMIUM)('web: the internal status page', () => {
  let rig: WebRig;
  beforeAll(async () => {
    rig = await startRig();
    const maya = await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'responder' });
    await addUser(rig.t, { email: 'ola@example.com', name: 'Ola Stakeholder', role: 'stakeholder' });
    const { routingKey, serviceId } = await addPagedService(rig.t, { name: 'checkout-api', userIds: [maya] });
    const bs = await rig.t.api('POST', '/api/v1/business-services', { name: 'Checkout', serviceIds: [serviceId] });
    if (bs.status !== 201) throw new Error(JSON.stringify(bs.body));
    await trigger(rig.t, routingKey, 'Checkout error rate above 5%', { dedupKey: 'err-rate' });
    await rig.t.cycle();
  }, 120_000);
  afterAll(async () => rig?.stop());

  it('the IM posts a status update from the war room; everyone sees the major incident, its IM and latest update', async () => {
    const maya = await newPage(rig.browser, 'desktop');
    await signIn(maya.page, rig.t.url, 'maya@example.com');
    const declared = await maya.page.evaluate(async () => {
      const s = await (await fetch('/api/v1/auth/session')).json();
      const r = await fetch('/api/v1/major-incidents', {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-csrf-token': s.csrfToken },
        body: JSON.stringify({ incident: '1', sev: 'SEV2', bridgeUrl: 'https://meet.example.com/checkout' }),
      });
      return r.status;
    });
    expect(declared).toBe(201);

    await maya.page.goto(`${rig.t.url}/incidents/1`);
    await maya.page.getByTestId('war-room').waitFor();
    expect(await maya.page.getByTestId('join-bridge').getAttribute('href')).toBe('https://meet.example.com/checkout');
    const form = maya.page.getByTestId('status-update-form');
    await form.getByText('Identified', { exact: true }).click();
    await form.getByLabel('Update message').fill('Bad deploy found; rolling back.');
    await form.getByLabel('Business impact').fill('Some customers cannot pay');
    await form.getByTestId('post-status-update').click();
    await expect.poll(async () => (await rig.t.api('GET', '/api/v1/incidents/1/status-updates')).body.statusUpdates.length, { timeout: 10_000 }).toBe(1);
    const up = (await rig.t.api('GET', '/api/v1/incidents/1/status-updates')).body.statusUpdates[0];
    expect(up).toMatchObject({ phase: 'identified', message: 'Bad deploy found; rolling back.', businessImpact: 'Some customers cannot pay', public: false });

    // A stakeholder (not a responder) finds where to go.
    const ola = await newPage(rig.browser, 'phone');
    await signIn(ola.page, rig.t.url, 'ola@example.com');
    await ola.page.goto(`${rig.t.url}/internal-status`);
    const card = ola.page.getByTestId('major-incident').filter({ hasText: 'Checkout error rate above 5%' });
    await card.waitFor();
    await expect.poll(() => card.getByTestId('status-im').textContent()).toContain('Maya Okafor');
    await card.getByText('SEV2').waitFor();
    await card.getByText('Checkout', { exact: true }).waitFor();
    await card.getByTestId('latest-update').getByText('Bad deploy found; rolling back.').waitFor();
    expect(await card.getByRole('link', { name: 'Join bridge' }).getAttribute('href')).toBe('https://meet.example.com/checkout');
    await card.getByTestId('go-war-room').click();
    await ola.page.getByTestId('war-room').waitFor();

    // A public update with a public title: the status page shows it, never the incident's own title.
    await form.getByText('Monitoring', { exact: true }).click();
    await form.getByLabel('Update message').fill('A fix is live.');
    await form.getByTestId('status-public').click();
    await form.getByLabel('Public title').fill('Checkout errors for some customers');
    await form.getByTestId('post-status-update').click();
    await expect.poll(async () => (await rig.t.api('GET', '/api/v1/incidents/1/status-updates')).body.statusUpdates.length, { timeout: 10_000 }).toBe(2);
    expect((await rig.t.api('GET', '/api/v1/incidents/1/status-updates')).body.statusUpdates[0]).toMatchObject({ public: true, publicTitle: 'Checkout errors for some customers' });
    const statusPage = await (await fetch(`${rig.t.url}/status`)).text();
    expect(statusPage).toContain('Checkout errors for some customers');
    expect(statusPage).not.toContain('Checkout error rate above 5%');
    await maya.context.close();
    await ola.context.close();
  });
});
