import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder } from '../harness.js';
import { addUser, HAVE_CHROMIUM, newPage, signIn, startRig, type WebRig } from './support.js';

describe.skipIf(!HAVE_CHROMIUM)('web: edit an escalation policy and see the preview change', () => {
  let rig: WebRig;
  let policyId: string;
  beforeAll(async () => {
    rig = await startRig();
    const { t } = rig;
    await addUser(t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'admin' });
    const sam = await addResponder(t, { name: 'Sam Lindqvist', email: 'sam@example.com', rules: [{ type: 'email', delayMinutes: 0 }] });
    await addResponder(t, {
      name: 'Lee Chen',
      email: 'lee@example.com',
      phone: '+14155550102',
      rules: [
        { type: 'sms', delayMinutes: 0 },
        { type: 'voice', delayMinutes: 3 },
      ],
    });
    const p = await t.api('POST', '/api/v1/escalation-policies', { name: 'Payments', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: sam.id }] }] });
    policyId = p.body.escalationPolicy.id;
  });
  afterAll(async () => rig?.stop());

  it('adds a level with Lee: the preview pages Lee by SMS at +5 and by voice at +8; saved as edited', async () => {
    const { context, page } = await newPage(rig.browser, 'desktop');
    await signIn(page, rig.t.url, 'maya@example.com');
    await page.goto(`${rig.t.url}/escalation-policies/${policyId}`);
    const preview = page.getByTestId('policy-preview');
    await preview.getByText('Sam Lindqvist').first().waitFor();
    const pages = () => preview.getByTestId('preview-page').allTextContents();
    expect(await pages()).toEqual(['Sam Lindqvist by Email (email)']);
    await preview.getByText('+5 min').first().waitFor(); // escalation ends after level 1's delay

    await page.getByTestId('add-level').click();
    await page.getByTestId('level-1-targets').click();
    await page.getByRole('option', { name: 'Lee Chen' }).click();
    await page.keyboard.press('Escape');
    await expect.poll(pages).toEqual(['Sam Lindqvist by Email (email)', 'Lee Chen by SMS (sms)', '+8 min Lee Chen by Voice call (voice)']);

    // The first level's delay moves every later step.
    await page.getByTestId('level-0-delay').fill('7');
    await expect.poll(() => preview.getByTestId('preview-step').nth(1).textContent()).toContain('+7 min');
    await expect.poll(pages).toContain('+10 min Lee Chen by Voice call (voice)');

    await page.getByTestId('policy-save').click();
    await expect
      .poll(async () =>
        (await rig.t.api('GET', `/api/v1/escalation-policies/${policyId}`)).body.escalationPolicy.levels.map((l: { delayMinutes: number; targets: unknown[] }) => [l.delayMinutes, l.targets.length]),
      )
      .toEqual([
        [7, 1],
        [15, 1],
      ]);
    await context.close();
  });

  it('shows the API error under the field it is about', async () => {
    const { context, page } = await newPage(rig.browser, 'desktop');
    await signIn(page, rig.t.url, 'maya@example.com');
    await page.goto(`${rig.t.url}/escalation-policies/new`);
    await page.getByTestId('policy-name').fill('Empty');
    await page.getByTestId('policy-save').click();
    // A level with no targets: the server's detail path levels.0.targets lands under that level's picker.
    const level = page.getByTestId('level').first();
    await expect.poll(() => level.textContent()).toMatch(/must NOT have fewer than 1 items|Expected array length/i);
    expect(await page.getByTestId('form-error').textContent()).toContain('levels.0.targets');
    await context.close();
  });
});
