/**
 * The admin's first hour (issue 20), in the browser: an admin adds a user with "Email an invitation",
 * the invitee opens the emailed link (the real SMTP fake), sets a password and signs in; "Forgot your
 * password?" on the sign-in screen emails a link that sets a new one.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sizedPage } from './sized.js';
import { addUser, HAVE_CHROMIUM, signIn, startRig, type WebRig } from './support.js';
import { must } from '../../src/lib/must.js';

const linkIn = (text: string) => must(/(http\S+\/set-password#token=[A-Za-z0-9_%-]+)/.exec(text)?.[1], 'a set-password link in the message');

describe.skipIf(!HAVE_CHROMIUM)('web: invitations and forgot password', () => {
  let rig: WebRig;
  beforeAll(async () => {
    rig = await startRig();
    await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'admin' });
  }, 120_000);
  afterAll(async () => rig?.stop());

  it('phone: an admin invites by email; the link sets the password; the invitee signs in', async () => {
    const { context, page } = await sizedPage(rig.browser, 'phone');
    rig.t.clock.advance(60_000);
    await signIn(page, rig.t.url, 'maya@example.com');
    await page.goto(`${rig.t.url}/people/users`);
    await page.getByRole('button', { name: 'Add user' }).first().click();
    const dialog = page.getByRole('dialog');
    await dialog.getByRole('textbox', { name: 'Name' }).fill('Nina Park');
    await dialog.getByRole('textbox', { name: 'Email' }).fill('nina@example.com');
    await expect.poll(() => dialog.getByTestId('invite-by-email').isChecked()).toBe(true);
    await dialog.getByRole('button', { name: 'Add user' }).click();
    await page.getByText('Invitation sent to nina@example.com').waitFor();
    await rig.t.cycle();
    const mail = await rig.t.smtp.waitFor((m) => m.to.includes('nina@example.com') && m.subject === 'You are invited to Klaxon');
    await context.close();

    // The invitee, in their own browser.
    const nina = await sizedPage(rig.browser, 'phone');
    await nina.page.goto(linkIn(mail.text).replace(/^https?:\/\/[^/]+/, rig.t.url));
    await nina.page.getByRole('heading', { name: 'Set your password' }).waitFor();
    await nina.page.getByLabel('New password').fill('nina password 1');
    await nina.page.getByRole('button', { name: 'Set password' }).click();
    await nina.page.getByTestId('password-set').waitFor();
    await nina.page.getByRole('button', { name: 'Sign in' }).click();
    rig.t.clock.advance(60_000);
    await signIn(nina.page, rig.t.url, 'nina@example.com', 'nina password 1');
    await nina.context.close();
  });

  it('desktop: forgot password emails a link that sets a new password; the old one stops working', async () => {
    await addUser(rig.t, { email: 'omar@example.com', name: 'Omar', role: 'responder', password: 'old password 1' });
    const { context, page } = await sizedPage(rig.browser, 'desktop');
    await page.goto(`${rig.t.url}/`);
    await page.getByTestId('forgot-password').click();
    await page.locator('input[name=email]').fill('omar@example.com');
    await page.getByRole('button', { name: 'Email me a link' }).click();
    await page.getByTestId('forgot-sent').waitFor();
    await rig.t.cycle();
    const mail = await rig.t.smtp.waitFor((m) => m.to.includes('omar@example.com') && m.subject === 'Set a new Klaxon password');
    await page.goto(linkIn(mail.text).replace(/^https?:\/\/[^/]+/, rig.t.url));
    await page.getByLabel('New password').fill('new password 2');
    await page.getByRole('button', { name: 'Set password' }).click();
    await page.getByTestId('password-set').waitFor();
    await page.getByRole('button', { name: 'Sign in' }).click();
    rig.t.clock.advance(60_000);
    await page.locator('input[name=email]').fill('omar@example.com');
    await page.locator('input[name=password]').fill('old password 1');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await page.getByTestId('form-error').waitFor();
    rig.t.clock.advance(60_000);
    await signIn(page, rig.t.url, 'omar@example.com', 'new password 2');
    await context.close();
  });
});
