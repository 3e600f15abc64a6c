import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, HAVE_CHROMIUM, newPage, signIn, startRig, type WebRig } from './support.js';
import { must } from '../../src/lib/must.js';

describe.skipIf(!HAVE_CHROMIUM)('web: the contact card that lets pages through Do Not Disturb', () => {
  let rig: WebRig;
  beforeAll(async () => {
    rig = await startRig();
    await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'responder' });
  });
  afterAll(async () => rig?.stop());

  for (const size of ['phone', 'desktop'] as const) {
    it(`offers the vCard of Klaxon's numbers with the iPhone and Android steps (${size})`, async () => {
      const { t } = rig;
      const { context, page } = await newPage(rig.browser, size);
      await signIn(page, t.url, 'maya@example.com');
      await page.goto(`${t.url}/people/me`);
      const card = page.getByTestId('dnd-card');
      await card.waitFor();
      await card.getByText('Emergency Bypass').waitFor();
      await card.getByText('starred contacts').waitFor();
      const link = card.getByTestId('dnd-vcard');
      const box = await link.boundingBox();
      expect(must(box, 'box').height).toBeGreaterThanOrEqual(44);
      expect(await link.getAttribute('href')).toBe('/api/v1/channels/vcard');
      // The link works with the browser's session: the card lists Twilio's number.
      const res = await context.request.get(`${t.url}/api/v1/channels/vcard`);
      expect(res.status()).toBe(200);
      expect(await res.text()).toContain(`TEL;TYPE=CELL,VOICE:${t.twilio.phoneNumber}`);
      await context.close();
    });
  }
});
