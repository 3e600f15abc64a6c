import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addUser, HAVE_CHROMIUM, newPage, signIn, startRig, type WebRig } from './support.js';
import { must } from '../../src/lib/must.js';

describe.skipIf(!HAVE_CHROMIUM)('web: create an integration, see its key once, send a test alert through the real endpoint', () => {
  let rig: WebRig;
  let serviceId: string;
  beforeAll(async () => {
    rig = await startRig();
    await addUser(rig.t, { email: 'maya@example.com', name: 'Maya Okafor', role: 'admin' });
    serviceId = (await rig.t.api('POST', '/api/v1/services', { name: 'payments' })).body.service.id;
  });
  afterAll(async () => rig?.stop());

  it('for every kind: the key panel shows the URL and snippets, and the test alert opens an incident', async () => {
    const { t } = rig;
    const { context, page } = await newPage(rig.browser, 'desktop');
    await signIn(page, t.url, 'maya@example.com');
    await page.goto(`${t.url}/services/${serviceId}`);
    const kinds = [
      ['alertmanager', 'Prometheus Alertmanager webhook', '/integrations/v1/alertmanager/'],
      ['grafana', 'Grafana alerting webhook', '/integrations/v1/grafana/'],
      ['pagerduty', 'PagerDuty Events v2', '/v2/enqueue'],
      ['opsgenie', 'Opsgenie Alert API clients', '/v2/alerts'],
      ['generic', 'Generic JSON', '/integrations/v1/generic/'],
    ] as const;
    for (const [i, [kind, label, path]] of kinds.entries()) {
      await page.getByTestId('integration-kind').click();
      await page.getByRole('option', { name: new RegExp(`^${label}`) }).click();
      await page.getByTestId('integration-name').fill(`${kind} test`);
      await page.getByTestId('create-integration').click();
      const panel = page.getByTestId('integration-key-panel');
      await panel.waitFor();
      const key = must(await panel.getByTestId('integration-key').textContent(), 'the integration-key text').trim();
      expect(key.length).toBeGreaterThanOrEqual(16);
      expect(await panel.getByTestId('integration-url').textContent()).toBe(`${t.url}${path}${path.endsWith('/') ? key : ''}`);
      await panel.getByTestId('send-test-alert').click();
      await expect.poll(() => panel.getByTestId('test-alert-result').textContent(), { timeout: 10_000 }).toContain('Accepted (202)');
      await expect.poll(async () => (await t.api('GET', `/api/v1/incidents?service=${serviceId}&limit=50`)).body.incidents.length).toBe(i + 1);
      await panel.getByRole('button', { name: 'I have copied it' }).click();
      await panel.waitFor({ state: 'detached' });
    }
    // Listed afterwards with only the key's last four characters.
    expect(await page.getByTestId('integration').count()).toBe(5);
    await context.close();
  });
});
