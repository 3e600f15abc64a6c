/**
 * Admin → Provisioning at 390 px (phone) and 1280 px: an admin creates the SCIM token (shown once, it
 * opens /scim/v2), rotates it (asked first; the old one is refused at once) and revokes it (asked
 * first); the screen says whether KLAXON_SCIM_TOKEN is set.
 */
import type { Page } from 'playwright-core';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { must } from '../../src/lib/must.js';
import { addUser, HAVE_CHROMIUM, signIn, startRig, type WebRig } from './support.js';
import { sizedPage, type Size } from './sized.js';

const OUT = fileURLToPath(new URL('../../../../docs/screenshots/', import.meta.url));
/** docs/screenshots/ is written only when asked: KLAXON_SCREENSHOTS=1 npx vitest run <this file>. */
const SCREENSHOTS = process.env.KLAXON_SCREENSHOTS === '1';

async function fitsWidth(page: Page, width: number): Promise<void> {
  expect(await page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(width);
}

describe.skipIf(!HAVE_CHROMIUM)('web: Admin → Provisioning (the SCIM token)', () => {
  let rig: WebRig;

  beforeAll(async () => {
    rig = await startRig();
    await addUser(rig.t, { email: 'ada@example.com', name: 'Ada Admin', role: 'admin' });
  }, 120_000);
  afterAll(async () => rig?.stop());

  const scimStatus = async (token: string) => (await fetch(`${rig.t.url}/scim/v2/Users`, { headers: { authorization: `Bearer ${token}` } })).status;

  for (const size of ['phone', 'desktop'] as Size[]) {
    const width = size === 'phone' ? 390 : 1280;
    it(`at ${width} px: creates, rotates and revokes the SCIM token, shown once`, async () => {
      const { t } = rig;
      t.clock.advance(120_000); // sign-ins are limited per minute and person
      const ada = await sizedPage(rig.browser, size);
      await signIn(ada.page, t.url, 'ada@example.com');
      await ada.page.goto(`${t.url}/admin`);
      await ada.page.getByTestId('admin-provisioning').click();
      await ada.page.getByRole('heading', { name: 'Provisioning' }).waitFor();
      expect(await ada.page.getByTestId('scim-base-url').textContent()).toBe(`${t.url}/scim/v2`);
      await expect.poll(() => ada.page.getByTestId('scim-env-token').textContent()).toContain('KLAXON_SCIM_TOKEN is not set');
      expect(await ada.page.getByTestId('scim-token-state').textContent()).toBe('None.');

      const create = ada.page.getByTestId('create-scim-token');
      expect(must((await create.boundingBox())?.height, 'the button height')).toBeGreaterThanOrEqual(44);
      await create.click();
      const first = must(await ada.page.getByTestId('new-scim-token').textContent({ timeout: 10_000 }), 'the new token');
      expect(first).toMatch(/^kxscim_/);
      expect(await scimStatus(first)).toBe(200);
      await expect.poll(() => ada.page.getByTestId('scim-token-state').textContent()).toContain(`ends in …${first.slice(-4)}`);
      await fitsWidth(ada.page, width);
      if (SCREENSHOTS) await ada.page.screenshot({ path: `${OUT}admin-provisioning-${size}.png` });

      // Rotating asks first; then the old token is refused and the new one works.
      const rotate = ada.page.getByTestId('rotate-scim-token');
      await rotate.click();
      expect(await rotate.textContent()).toBe('Replace it: the old token stops now');
      expect(await scimStatus(first)).toBe(200);
      await rotate.click();
      await expect.poll(() => ada.page.getByTestId('scim-token-state').textContent()).not.toContain(first.slice(-4));
      const second = must(await ada.page.getByTestId('new-scim-token').textContent(), 'the rotated token');
      expect(second).not.toBe(first);
      expect(await scimStatus(first)).toBe(401);
      expect(await scimStatus(second)).toBe(200);

      // Revoking asks first too; then SCIM is off again (no token at all here).
      const revoke = ada.page.getByTestId('revoke-scim-token');
      await revoke.click();
      expect(await scimStatus(second)).toBe(200);
      await revoke.click();
      await expect.poll(() => ada.page.getByTestId('scim-token-state').textContent()).toBe('None.');
      expect(await scimStatus(second)).toBe(404);
      await fitsWidth(ada.page, width);
      await ada.context.close();
    }, 90_000);
  }
});
