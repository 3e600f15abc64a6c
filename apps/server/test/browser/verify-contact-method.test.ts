import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, HAVE_CHROMIUM, newPage, signIn, startRig, type WebRig } from './support.js';
import { must } from '../../src/lib/must.js';

describe.skipIf(!HAVE_CHROMIUM)('web: verify a contact method with the code sent by email', () => {
  let rig: WebRig;
  beforeAll(async () => {
    rig = await startRig();
    await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'responder' });
  });
  afterAll(async () => rig?.stop());

  it('adds an email address, refuses a wrong code in place, accepts the code from the SMTP server', async () => {
    const { t } = rig;
    const { context, page } = await newPage(rig.browser, 'phone');
    await signIn(page, t.url, 'maya@example.com');
    await page.locator('nav[aria-label=Sections]').getByRole('link', { name: 'People' }).click(); // the phone's tab bar
    await page.getByTestId('method-name').fill('Home email');
    await page.getByTestId('method-address').fill('maya.home@example.com');
    await page.getByTestId('add-method').click();
    const card = page.getByTestId('contact-method').filter({ hasText: 'Home email' });
    await card.waitFor();
    expect(await card.getAttribute('data-verified')).toBe('false');

    await t.cycle(); // the engine delivers the outbox: the code goes to the SMTP server
    const mail = await t.smtp.waitFor((m) => m.to.includes('maya.home@example.com') && /verification/i.test(m.subject + m.text));
    const code = must(/\b(\d{6})\b/.exec(mail.text)?.[1], 'a 6-digit code in the email');
    const wrong = code === '000000' ? '111111' : '000000';

    await card.getByTestId('verify-code').locator('input').first().click();
    await page.keyboard.type(wrong);
    await card.getByText('that code is not right').waitFor();
    expect(await card.getAttribute('data-verified')).toBe('false');

    await card.getByTestId('verify-code').locator('input').first().click();
    await page.keyboard.type(code);
    await expect.poll(() => card.getAttribute('data-verified'), { timeout: 10_000 }).toBe('true');
    const methods = await t.api('GET', `/api/v1/users/${(await t.api('GET', '/api/v1/users/maya@example.com')).body.user.id}/contact-methods`);
    expect(methods.body.contactMethods.find((m: { name: string }) => m.name === 'Home email').verified).toBe(true);

    // Verified: "send me a test page" is offered and reaches the inbox.
    await card.getByTestId('test-page').click();
    await t.cycle();
    await t.smtp.waitFor((m) => m.to.includes('maya.home@example.com') && /test/i.test(m.subject));
    await context.close();
  });
});
