import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, HAVE_CHROMIUM, newPage, startRig, type WebRig } from './support.js';

describe.skipIf(!HAVE_CHROMIUM)('web: sign in with email and password', () => {
  let rig: WebRig;
  beforeAll(async () => {
    rig = await startRig();
    await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor', password: 'correct horse battery' });
  });
  afterAll(async () => rig?.stop());

  it('shows the API error in place for a wrong password, then signs in and lands on the incident list', async () => {
    const { context, page } = await newPage(rig.browser, 'phone');
    const asked: string[] = [];
    page.on('request', (r) => asked.push(new URL(r.url()).pathname));
    await page.goto(`${rig.t.url}/`);
    await page.locator('input[name=email]').fill('maya@example.com');
    await page.locator('input[name=password]').fill('wrong password');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect.poll(() => page.getByTestId('form-error').textContent()).toContain('Wrong email or password');

    await page.locator('input[name=password]').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    expect(page.url()).toMatch(/\/incidents$/);
    // The session is an httpOnly cookie: scripts cannot read it, a reload keeps it.
    expect(await page.evaluate(() => document.cookie)).not.toContain('klaxon_session');
    const cookies = await context.cookies();
    expect(cookies.find((c) => c.name === 'klaxon_session')?.httpOnly).toBe(true);
    await page.reload();
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    // Every screen is built in: the app asks the server for no OpenAPI document to decide what to show.
    expect(asked).toContain('/api/v1/auth/session');
    expect(asked).not.toContain('/api/v1/openapi.json');

    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Sign in' }).waitFor();
    await context.close();
  });
});
