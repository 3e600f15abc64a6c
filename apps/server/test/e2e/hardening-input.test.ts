import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { computeTwilioSignature } from '../../src/notify/providers/twilio/signature.js';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

// Input a client sent is answered 4xx before any work: Twilio webhooks with parameters that are not
// single strings, and reports asked for in a zone that does not exist.
describe.each(DIALECTS)('client mistakes answer 4xx, not 500 (%s)', (dialect) => {
  let t: TestKlaxon;
  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
  });
  afterAll(async () => t?.stop());

  const twilioPaths = ['/integrations/v1/twilio/sms', '/integrations/v1/twilio/voice?message=x', '/integrations/v1/twilio/voice/gather?message=x', '/integrations/v1/twilio/status?message=x'];

  it.each(twilioPaths)('Twilio %s: a JSON body with non-string parameters is 400, even when signed', async (path) => {
    const url = `${t.url}${path}`;
    for (const body of [{ From: 15550000000, Body: 'ack' }, { Digits: ['4', '6'] }, { From: null }, { MessageStatus: { a: 1 } }, [1, 2], 'text']) {
      const res = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', 'x-twilio-signature': computeTwilioSignature(t.twilio.authToken, url, {}) },
        body: JSON.stringify(body),
      });
      expect(res.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(await res.text()).toMatch(/form-encoded/);
    }
  });

  it.each(twilioPaths)('Twilio %s: a repeated query parameter is 400; an unsigned one 400 or 403, never 500', async (path) => {
    const url = `${t.url}${path.includes('?') ? `${path}&message=y` : `${path}?message=x&message=y`}`;
    const signed = await t.twilio.post(url, { Digits: '4', From: '+15550000000', Body: 'ack' });
    expect(signed.status).toBe(400);
    const forged = await t.twilio.post(`${t.url}${path}`, { Digits: '4' }, 'not-the-auth-token');
    expect(forged.status).toBe(403);
  });

  it('Twilio webhooks: any JSON body, signed or not, is 400 or 403, never 5xx (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...twilioPaths), fc.jsonValue(), fc.boolean(), async (path, body, signed) => {
        const url = `${t.url}${path}`;
        const res = await fetch(url, {
          method: 'POST',
          headers: { 'content-type': 'application/json', ...(signed && { 'x-twilio-signature': computeTwilioSignature(t.twilio.authToken, url, {}) }) },
          body: JSON.stringify(body),
        });
        await res.arrayBuffer();
        expect([400, 403]).toContain(res.status);
      }),
      { numRuns: 60 },
    );
  });

  const reports = ['sla', 'aggregates', 'noise', 'shifts', 'trends'];
  it('reports: any tz is answered 200 or 400, never 5xx (property)', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom(...reports),
        fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('Europe/Berlin', 'UTC', 'Etc/GMT+5', 'America/Argentina/Buenos_Aires', 'utc', '+01:00', 'Mars/Olympus')),
        async (name, tz) => {
          const r = await t.api('GET', `/api/v1/reports/${name}?tz=${encodeURIComponent(tz)}`);
          expect([200, 400]).toContain(r.status);
        },
      ),
      { numRuns: 60 },
    );
  });
  it.each(reports)('GET /reports/%s?tz=Not/AZone is 400 naming tz; a real zone is 200', async (name) => {
    const bad = await t.api('GET', `/api/v1/reports/${name}?tz=Not/AZone`);
    expect(bad.status).toBe(400);
    expect(bad.body.error.message).toMatch(/^tz: "Not\/AZone" is not an IANA time zone/);
    const csv = await t.api('GET', `/api/v1/reports/${name}?tz=Not/AZone&format=csv`);
    expect(csv.status).toBe(400);
    expect((await t.api('GET', `/api/v1/reports/${name}?tz=Europe/Berlin`)).status).toBe(200);
  });
});
