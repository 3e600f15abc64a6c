import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestKlaxon } from '../harness.js';
import { startWithProviders, type ProvidersKlaxon } from './sms-providers-setup.js';

describe.each(DIALECTS)('vCard of the numbers Klaxon sends from (%s)', (dialect) => {
  let t: ProvidersKlaxon;
  beforeAll(async () => {
    t = await startWithProviders(dialect);
  });
  afterAll(() => t?.stop());

  it('lists every configured provider number once, as text/vcard', async () => {
    const res = await fetch(`${t.url}/api/v1/channels/vcard`, { headers: { authorization: `Bearer ${t.adminToken}` } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/vcard; charset=utf-8');
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="klaxon.vcf"');
    const text = await res.text();
    expect(text.startsWith('BEGIN:VCARD\r\nVERSION:3.0\r\n')).toBe(true);
    expect(text.endsWith('END:VCARD\r\n')).toBe(true);
    expect(text).toContain('\r\nFN:Klaxon\r\n');
    const tels = [...text.matchAll(/^TEL;TYPE=CELL,VOICE:(\+\d+)\r$/gm)].map((m) => m[1]);
    expect(tels.sort()).toEqual([t.twilio.phoneNumber, `+${t.vonage.number}`, `+${t.plivo.number}`, t.telnyx.number].sort());
  });

  it('needs a signed-in user', async () => {
    expect((await fetch(`${t.url}/api/v1/channels/vcard`)).status).toBe(401);
  });
});

describe.each(DIALECTS)('vCard without SMS or voice providers (%s)', (dialect) => {
  it('answers 404 saying no provider is configured', async () => {
    const t = await startTestKlaxon(dialect, { twilio: undefined });
    try {
      const r = await t.api('GET', '/api/v1/channels/vcard');
      expect(r.status).toBe(404);
      expect(JSON.stringify(r.body)).toContain('No SMS or voice provider');
    } finally {
      await t.stop();
    }
  });
});
