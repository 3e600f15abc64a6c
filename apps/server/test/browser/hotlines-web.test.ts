import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, HAVE_CHROMIUM, newPage, signIn, startRig, type WebRig } from './support.js';
import { must } from '../../src/lib/must.js';

type H = { name: string; number: string; ringSeconds: number; allowedCallers: string[] };

describe.skipIf(!HAVE_CHROMIUM)('web: hotline numbers on the service page (390 and 1280 px)', () => {
  let rig: WebRig;
  let serviceId: string;
  const hotlines = async () => (await rig.t.api('GET', `/api/v1/services/${serviceId}/hotlines`)).body.hotlines as H[];
  beforeAll(async () => {
    rig = await startRig();
    await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'admin' });
    await addUser(rig.t, { email: 'vic@example.com', name: 'Vic Viewer', role: 'viewer' });
    serviceId = (await rig.t.api('POST', '/api/v1/services', { name: 'customer-support' })).body.service.id;
  });
  afterAll(async () => rig?.stop());

  for (const [size, number] of [
    ['phone', '+1 500 555 0100'],
    ['desktop', '+1 500 555 0101'],
  ] as const) {
    it(`an admin adds a hotline in a dialog (a bad allow-list entry is named), sees the webhook URL, edits and deletes it (${size})`, async () => {
      const { t } = rig;
      const { context, page } = await newPage(rig.browser, size);
      if (size === 'desktop') await page.setViewportSize({ width: 1280, height: 900 });
      await signIn(page, t.url, 'maya@example.com');
      await page.goto(`${t.url}/services/${serviceId}`);
      const name = `Support ${size}`;
      await page.getByTestId('add-hotline').click();
      const form = page.getByTestId('hotline-form');
      await form.getByTestId('hotline-name').fill(name);
      await form.getByTestId('hotline-number').fill(number);
      await form.getByTestId('hotline-ring').fill('15');
      await form.getByTestId('hotline-allowed').fill('+44 7700 900123\ncall me');
      await form.getByTestId('save-hotline').click();
      await expect.poll(() => form.textContent()).toContain('"call me" is not a phone number');
      expect((await hotlines()).some((h) => h.name === name)).toBe(false);
      await form.getByTestId('hotline-allowed').fill('+44 7700 900123');
      await form.getByTestId('save-hotline').click();
      await form.waitFor({ state: 'detached' });
      const want = number.replace(/ /g, '');
      await expect.poll(async () => (await hotlines()).find((h) => h.name === name)).toMatchObject({ number: want, ringSeconds: 15, allowedCallers: ['+447700900123'] });
      const row = page.getByTestId('hotline').filter({ hasText: name });
      await expect.poll(() => row.getByTestId('hotline-number-shown').textContent()).toBe(want);
      expect(await row.textContent()).toContain('1 allowed caller');
      expect(await row.getByTestId('hotline-calls').textContent()).toBe('0 calls taken, 0 refused');
      expect(must(await page.getByTestId('hotline-webhook-twilio').textContent(), 'the hotline-webhook-twilio text').trim()).toBe(`${t.url}/integrations/v1/twilio/hotline`);
      // No sideways scrolling at this width.
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);

      await row.getByTestId('edit-hotline').click();
      const edit = page.getByTestId('hotline-form');
      await edit.getByTestId('hotline-ring').fill('30');
      await edit.getByTestId('hotline-allowed').fill('');
      await edit.getByTestId('save-hotline').click();
      await edit.waitFor({ state: 'detached' });
      await expect.poll(async () => (await hotlines()).find((h) => h.name === name)).toMatchObject({ ringSeconds: 30, allowedCallers: [] });
      await expect.poll(() => row.textContent()).toContain('anyone may call');

      // Delete asks once more inside the dialog (no browser confirm).
      await row.getByTestId('edit-hotline').click();
      await page.getByTestId('delete-hotline').click();
      expect((await hotlines()).some((h) => h.name === name)).toBe(true);
      await page.getByTestId('delete-hotline').click();
      await row.waitFor({ state: 'detached' });
      expect((await hotlines()).some((h) => h.name === name)).toBe(false);
      await context.close();
    });
  }

  it('a viewer sees the hotlines but cannot add or change them', async () => {
    const { t } = rig;
    await t.api('POST', `/api/v1/services/${serviceId}/hotlines`, { name: 'Main line', number: '+15005550109' });
    await t.api('POST', `/api/v1/services/${serviceId}/hotlines`, { name: 'UK line', provider: 'vonage', number: '+442079460000' });
    const { context, page } = await newPage(rig.browser, 'phone');
    await signIn(page, t.url, 'vic@example.com');
    await page.goto(`${t.url}/services/${serviceId}`);
    const row = page.getByTestId('hotline').filter({ hasText: 'Main line' });
    await expect.poll(() => row.getByTestId('hotline-number-shown').textContent()).toBe('+15005550109');
    await expect.poll(() => page.getByTestId('hotline').filter({ hasText: 'UK line' }).textContent()).toContain('Vonage');
    expect(await page.getByTestId('add-hotline').count()).toBe(0);
    expect(await page.getByTestId('hotline-webhook-vonage').count()).toBe(0);
    expect(await page.getByTestId('edit-hotline').count()).toBe(0);
    await context.close();
  });
});
