import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, HAVE_CHROMIUM, newPage, signIn, startRig, type WebRig } from './support.js';

const login = (url: string, email: string, password: string) =>
  fetch(`${url}/api/v1/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ email, password }) });

describe.skipIf(!HAVE_CHROMIUM)('web: changing your password asks for the current one', () => {
  let rig: WebRig;
  beforeAll(async () => {
    rig = await startRig();
    await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'responder' });
  });
  afterAll(async () => rig?.stop());

  it('a wrong current password is shown at its field and changes nothing; the right one changes it', async () => {
    const { context, page } = await newPage(rig.browser, 'phone');
    await signIn(page, rig.t.url, 'maya@example.com');
    await page.goto(`${rig.t.url}/people/me`);
    await page.getByLabel('New password').fill('a whole new secret');
    const current = page.getByLabel('Current password');
    await current.waitFor();
    await current.fill('not my password');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(() => page.getByText('is not your current password').count()).toBeGreaterThan(0);
    expect((await login(rig.t.url, 'maya@example.com', 'correct horse battery')).status).toBe(200);

    await current.fill('correct horse battery');
    await page.getByRole('button', { name: 'Save profile' }).click();
    await expect.poll(async () => (await login(rig.t.url, 'maya@example.com', 'a whole new secret')).status).toBe(200);
    expect((await login(rig.t.url, 'maya@example.com', 'correct horse battery')).status).toBe(401);
    await context.close();
  });
});
