import { describe, expect, it } from 'vitest';
import { samplePage, sampleReply, sampleTest, sampleVerification } from '../../../test/fakes/messages.js';
import { renderWebhook } from './webhook.js';

describe('renderWebhook', () => {
  it('renders a page as a stable incident.page document', () => {
    const page = samplePage();
    expect(renderWebhook(page)).toEqual({
      version: 1,
      event: 'incident.page',
      drill: false,
      text: '#42 CRITICAL checkout-api: DB down',
      incident: {
        id: page.incidentId,
        number: 42,
        title: 'DB down',
        service: 'checkout-api',
        severity: 'critical',
        status: 'triggered',
        url: page.incidentUrl,
        details: page.details,
        alertCount: 3,
        createdAt: '2026-01-05T09:00:00.000Z',
      },
      actions: { acknowledgeUrl: page.ackUrl, resolveUrl: page.resolveUrl },
    });
  });

  it('marks drills', () => {
    const doc = renderWebhook(samplePage({ drill: true }));
    expect(doc.drill).toBe(true);
    expect(doc.text).toMatch(/^DRILL /);
  });

  it('keeps raw values (JSON does the escaping) and round-trips through JSON', () => {
    const doc = renderWebhook(samplePage({ title: '<b>"x"</b> & \u2028' }));
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
    expect((doc.incident as { title: string }).title).toBe('<b>"x"</b> & \u2028');
  });

  it('renders verification, test and reply messages', () => {
    expect(renderWebhook(sampleVerification)).toEqual({
      version: 1,
      event: 'contact.verification',
      text: 'Your Klaxon verification code is 123456',
      code: '123456',
      user: { name: 'Ada Lovelace' },
    });
    expect(renderWebhook(sampleTest)).toMatchObject({ event: 'notification.test', user: { name: 'Ada Lovelace' } });
    expect(renderWebhook(sampleReply)).toEqual({ version: 1, event: 'notification.reply', text: 'Incident #42 acknowledged.' });
  });
});
