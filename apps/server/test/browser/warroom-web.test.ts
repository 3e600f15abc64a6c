import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addPagedService, addUser, HAVE_CHROMIUM, newPage, signIn, startRig, trigger, waitLive, type WebRig } from './support.js';

describe.skipIf(!HAVE_CHROMIUM)('web: the war room', () => {
  let rig: WebRig;
  beforeAll(async () => {
    rig = await startRig();
    const maya = await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'responder' });
    await addUser(rig.t, { email: 'sam@example.com', name: 'Sam Lindqvist', role: 'responder' });
    const { routingKey } = await addPagedService(rig.t, { name: 'checkout-api', userIds: [maya] });
    await trigger(rig.t, routingKey, 'Checkout error rate above 5%', { dedupKey: 'err-rate' });
    await trigger(rig.t, routingKey, 'Search latency high', { dedupKey: 'search' });
    await rig.t.cycle();
  }, 120_000);
  afterAll(async () => rig?.stop());

  it('changes the severity of an incident from its page', async () => {
    const { page, context } = await newPage(rig.browser, 'desktop');
    await signIn(page, rig.t.url, 'sam@example.com');
    // Sam is on no policy: he looks at everyone's incidents (Mine is a responder's default).
    await page.goto(`${rig.t.url}/incidents?view=all`);
    await page.getByTestId('incident-row').filter({ hasText: 'Search latency high' }).click();
    await page.getByTestId('incident-page').waitFor();
    await page.getByTestId('severity-select').click();
    await page.getByRole('option', { name: /^SEV3/ }).click();
    await expect.poll(async () => (await rig.t.api('GET', '/api/v1/incidents/2')).body.incident.sev).toBe('SEV3');
    await expect.poll(() => page.getByTestId('incident-sev').textContent()).toBe('SEV3');

    // The list filters by declared level on the server, and by title search.
    await page.goto(`${rig.t.url}/incidents?sev=SEV3&view=all`);
    await page.getByTestId('incident-row').first().waitFor();
    await expect.poll(() => page.getByTestId('incident-row').allTextContents()).toEqual([expect.stringContaining('Search latency high')]);
    await page.goto(`${rig.t.url}/incidents?view=all`);
    await page.getByTestId('incident-search').fill('checkout error');
    await expect.poll(() => page.getByTestId('incident-row').count()).toBe(1);
    expect(await page.getByTestId('incident-row').textContent()).toContain('Checkout error rate above 5%');
    await context.close();
  });

  it('declares a major incident from the incident page; two browsers chat live; a priority message shows apart with its receipt', async () => {
    const maya = await newPage(rig.browser, 'phone');
    const sam = await newPage(rig.browser, 'desktop');
    await signIn(maya.page, rig.t.url, 'maya@example.com');
    await signIn(sam.page, rig.t.url, 'sam@example.com');
    await maya.page.getByTestId('incident-row').filter({ hasText: 'Checkout error rate above 5%' }).click();
    await maya.page.getByTestId('incident-page').waitFor();

    // Maya declares: the war room opens and she is the incident manager (no IM schedule configured).
    await maya.page.getByTestId('declare-major').click();
    await maya.page.getByTestId('declare-confirm').click();
    await maya.page.getByTestId('war-room').waitFor({ timeout: 10_000 });
    await expect.poll(() => maya.page.getByTestId('incident-manager').textContent()).toContain('Maya Okafor');
    const inc = (await rig.t.api('GET', '/api/v1/incidents/1')).body.incident;
    expect(inc.major).toBe(true);
    expect(inc.sev).toBe('SEV1');

    await sam.page.goto(`${rig.t.url}/incidents/1`);
    await sam.page.getByTestId('war-room').waitFor();
    await waitLive(sam.page);
    await waitLive(maya.page);

    // Chat both ways, live.
    await maya.page.getByRole('textbox', { name: 'Chat message', exact: true }).fill('Rolling back the 14:02 deploy');
    await maya.page.getByTestId('chat-send').click();
    await sam.page.getByTestId('chat-stream').getByText('Rolling back the 14:02 deploy').waitFor({ timeout: 10_000 });
    await sam.page.getByRole('textbox', { name: 'Chat message', exact: true }).fill('Payments look fine from here');
    await sam.page.getByRole('textbox', { name: 'Chat message', exact: true }).press('Enter');
    await maya.page.getByTestId('chat-stream').getByText('Payments look fine from here').waitFor({ timeout: 10_000 });

    // A slash command typed in the composer runs and Klaxon answers in the chat.
    await sam.page.getByRole('textbox', { name: 'Chat message', exact: true }).fill('/task "Check the payment queue" @sam@example.com');
    await sam.page.getByTestId('chat-send').click();
    await sam.page
      .getByTestId('tasks')
      .getByText(/Check the payment queue/)
      .waitFor({ timeout: 10_000 });

    // Maya (IM) sends a priority message: shown apart; Sam reads it and the receipt is recorded.
    await maya.page.getByTestId('priority-toggle').click();
    expect(await maya.page.getByTestId('priority-toggle').getAttribute('aria-pressed')).toBe('true');
    await maya.page.getByRole('textbox', { name: 'Chat message', exact: true }).fill('Everyone: stop deploys now');
    await maya.page.getByTestId('chat-send').click();
    await sam.page.getByTestId('priority-messages').getByText('Everyone: stop deploys now').waitFor({ timeout: 10_000 });
    expect(await sam.page.getByTestId('chat-stream').getByText('Everyone: stop deploys now').count()).toBe(0);
    await expect
      .poll(
        async () => {
          const msgs = (await rig.t.api('GET', `/api/v1/incidents/${inc.id}/chat?priority=true`)).body.messages as { text: string; receipts: { name: string; readAt: number | null }[] }[];
          return msgs.find((m) => m.text === 'Everyone: stop deploys now')?.receipts.find((r) => r.name === 'Sam Lindqvist')?.readAt ?? null;
        },
        { timeout: 10_000 },
      )
      .not.toBeNull();
    await maya.page.getByTestId('priority-messages').getByTestId('receipt').filter({ hasText: 'Sam Lindqvist' }).and(maya.page.locator('[data-state=read]')).waitFor({ timeout: 10_000 });

    await maya.context.close();
    await sam.context.close();
  });
});
