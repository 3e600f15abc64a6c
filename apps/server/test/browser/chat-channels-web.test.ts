import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must } from '../../src/lib/must.js';
import { addUser, HAVE_CHROMIUM, newPage, signIn, startRig, type WebRig } from './support.js';

type C = { platform: string; channel: string };

const OUT = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));
/** docs/screenshots/ is written only when asked: KLAXON_SCREENSHOTS=1 npx vitest run <this file>. */
const SCREENSHOTS = process.env.KLAXON_SCREENSHOTS === '1';

describe.skipIf(!HAVE_CHROMIUM)('web: chat channels on the service page (390 and 1280 px)', () => {
  let rig: WebRig;
  let serviceId: string;
  const channels = async () => (await rig.t.api('GET', `/api/v1/services/${serviceId}/chat-channels`)).body.channels as C[];
  beforeAll(async () => {
    rig = await startRig();
    await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'admin' });
    await addUser(rig.t, { email: 'vic@example.com', name: 'Vic Viewer', role: 'viewer' });
    serviceId = (await rig.t.api('POST', '/api/v1/services', { name: 'checkout' })).body.service.id;
  });
  afterAll(async () => rig?.stop());

  for (const [size, channel] of [
    ['phone', 'C0PHONE01'],
    ['desktop', 'C0DESK001'],
  ] as const) {
    it(`an admin adds a Slack channel (a bad id is named), sends a test, removes it after confirming and undoes it (${size})`, async () => {
      const { t } = rig;
      const { context, page } = await newPage(rig.browser, size);
      if (size === 'desktop') await page.setViewportSize({ width: 1280, height: 900 });
      await signIn(page, t.url, 'maya@example.com');
      await page.goto(`${t.url}/services/${serviceId}`);
      const section = page.getByTestId('chat-channels');
      await section.getByTestId('chat-channel-input').fill('general');
      await section.getByTestId('add-chat-channel').click();
      await expect.poll(() => section.textContent()).toContain('a Slack channel id (C... or G...)');
      expect(await channels()).toEqual([]);
      await section.getByTestId('chat-channel-input').fill(channel);
      await section.getByTestId('add-chat-channel').click();
      const row = section.getByTestId('chat-channel').filter({ hasText: channel });
      await expect.poll(() => row.count()).toBe(1);
      expect(await channels()).toEqual([{ platform: 'slack', channel }]);
      expect(await row.textContent()).toContain('Slack');
      // Targets are at least 44 px; no sideways scrolling at this width.
      for (const id of ['remove-chat-channel', 'test-chat-channel']) expect(must(await row.getByTestId(id).boundingBox(), id).height).toBeGreaterThanOrEqual(44);
      expect(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth)).toBe(true);
      await section.scrollIntoViewIfNeeded();
      if (SCREENSHOTS) await page.screenshot({ path: `${OUT}service-chat-channels-${size}.png` });

      await row.getByTestId('test-chat-channel').click();
      await t.cycle();
      await t.slack.waitForPost((m) => m.channel === channel && m.text.includes('Klaxon test: the incidents of service checkout'));

      // Remove asks once more in place, then offers Undo.
      await row.getByTestId('remove-chat-channel').click();
      expect(await channels()).toEqual([{ platform: 'slack', channel }]);
      await row.getByTestId('confirm-remove-chat-channel').click();
      await expect.poll(channels).toEqual([]);
      await expect.poll(() => section.getByTestId('chat-channels-none').count()).toBe(1);
      await page.getByTestId('undo-remove-chat-channel').click();
      await expect.poll(channels).toEqual([{ platform: 'slack', channel }]);
      await expect.poll(() => section.getByTestId('chat-channel').filter({ hasText: channel }).count()).toBe(1);
      await t.api('PUT', `/api/v1/services/${serviceId}/chat-channels`, { channels: [] });
      await context.close();
    });
  }

  it('a viewer sees the channels but cannot add, test or remove them', async () => {
    const { t } = rig;
    await t.api('PUT', `/api/v1/services/${serviceId}/chat-channels`, { channels: [{ platform: 'slack', channel: 'C0VIEW001' }] });
    const { context, page } = await newPage(rig.browser, 'phone');
    await signIn(page, t.url, 'vic@example.com');
    await page.goto(`${t.url}/services/${serviceId}`);
    const section = page.getByTestId('chat-channels');
    await expect.poll(() => section.getByTestId('chat-channel-id').textContent()).toBe('C0VIEW001');
    expect(await section.getByTestId('add-chat-channel-form').count()).toBe(0);
    expect(await section.getByTestId('remove-chat-channel').count()).toBe(0);
    expect(await section.getByTestId('test-chat-channel').count()).toBe(0);
    await context.close();
  });
});
