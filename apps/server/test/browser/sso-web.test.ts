/**
 * The sign-in screen with single sign-on, in chromium: "Sign in with …" through a real OpenID provider
 * (oidc-provider, its login and consent pages) into the app, sign-out through the provider's sign-out
 * page back to Klaxon's sign-in screen; with passwords off, the password form only behind the
 * break-glass link. At 390 px and 1280 px.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ssoFromEnv } from '../../src/auth/sso-config.js';
import { freePort, startOidcIdp, type TestIdp } from '../sso/oidc-idp.js';
import { addUser, HAVE_CHROMIUM, newPage, startRig, type WebRig } from './support.js';

describe.skipIf(!HAVE_CHROMIUM)('web: sign in with single sign-on', () => {
  let rig: WebRig;
  let idp: TestIdp;

  beforeAll(async () => {
    const port = await freePort();
    rig = await startRig({
      sso: ssoFromEnv({
        KLAXON_OIDC_ISSUER: `http://127.0.0.1:${port}`,
        KLAXON_OIDC_CLIENT_ID: 'klaxon',
        KLAXON_OIDC_CLIENT_SECRET: 'klaxon-test-secret-0123456789abcdef',
        KLAXON_OIDC_NAME: 'Acme ID',
        KLAXON_OIDC_AUTO_CREATE: 'on',
        KLAXON_PASSWORD_SIGNIN: 'off',
        KLAXON_BREAK_GLASS_EMAILS: 'root@example.com',
      }),
    });
    idp = await startOidcIdp({ port, klaxonUrl: rig.t.url, accounts: { maya: { email: 'maya@example.com', name: 'Maya Okafor', groups: [] } } });
    await addUser(rig.t, { email: 'root@example.com', name: 'Root', password: 'correct horse battery' });
  });
  afterAll(async () => {
    await idp?.close();
    await rig?.stop();
  });

  it('signs in through the provider and out through its sign-out page (390 px)', async () => {
    const { context, page } = await newPage(rig.browser, 'phone');
    await page.goto(`${rig.t.url}/`);
    const button = page.getByRole('link', { name: 'Sign in with Acme ID' });
    await button.waitFor();
    // Passwords are off: no password form until the break-glass link is used.
    expect(await page.locator('input[name=password]').count()).toBe(0);
    await button.click();
    await page.waitForURL((u) => u.origin === idp.issuer);
    await page.locator('input[name=login]').fill('maya');
    await page.locator('input[name=password]').fill('anything');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.getByRole('button', { name: 'Continue' }).click();
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    expect(new URL(page.url()).origin).toBe(rig.t.url);

    await page.getByTestId('user-menu').click();
    await page.getByRole('menuitem', { name: 'Sign out' }).click();
    await page.getByRole('button', { name: 'Yes, sign me out' }).click();
    await page.getByRole('link', { name: 'Sign in with Acme ID' }).waitFor();
    expect(page.url()).toBe(`${rig.t.url}/login`);
    const s = await (await context.request.get(`${rig.t.url}/api/v1/auth/session?optional=true`)).json();
    expect(s.user).toBeNull();
    await context.close();
  });

  it('keeps the password form for break-glass administrators behind a link (1280 px)', async () => {
    const { context, page } = await newPage(rig.browser, 'desktop');
    await page.goto(`${rig.t.url}/`);
    await page.getByTestId('break-glass').click();
    await page.locator('input[name=email]').fill('root@example.com');
    await page.locator('input[name=password]').fill('correct horse battery');
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await page.getByRole('heading', { name: 'Incidents' }).waitFor();
    expect(await page.getByTestId('forgot-password').count()).toBe(0);
    await context.close();
  });
});
