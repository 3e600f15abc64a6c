/**
 * A NUL character (JSON `\u0000`) in what a client sends. PostgreSQL's text cannot hold one: an
 * alert with one in its summary failed its commit there (500, the event lost) while SQLite stored it.
 * Ingest now stores U+FFFD in its place on both databases; the REST API answers 400 on PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

describe.each(DIALECTS)('NUL in a client text (%s)', (dialect) => {
  let t: TestKlaxon;
  let key = '';
  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    const svc = await t.api('POST', '/api/v1/services', { name: 'db' });
    key = (await t.api('POST', `/api/v1/services/${svc.body.service.id}/integrations`, { name: 'pd', kind: 'pagerduty' })).body.integration.key;
  }, 60_000);
  afterAll(() => t?.stop());

  it('an event with NUL in its summary, dedup key and details is accepted, with U+FFFD in its place', async () => {
    const r = await fetch(`${t.url}/v2/enqueue`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        routing_key: key,
        event_action: 'trigger',
        dedup_key: 'disk\u0000full',
        payload: { summary: 'Disk\u0000full', source: 'db-1', severity: 'critical', custom_details: { 'mount\u0000': '/\u0000' } },
      }),
    });
    expect(r.status).toBe(202);
    expect(((await r.json()) as { dedup_key: string }).dedup_key).toBe('disk\ufffdfull');
    const list = await t.api('GET', '/api/v1/incidents?limit=5');
    expect(list.body.incidents.map((i: { title: string }) => i.title)).toContain('Disk\ufffdfull');
  });

  it('a service name with NUL is refused with 400 or stored, never a 500', async () => {
    const r = await t.api('POST', '/api/v1/services', { name: 'web\u0000' });
    if (dialect === 'postgres') {
      expect(r.status).toBe(400);
      expect(r.body.error.message).toMatch(/NUL/);
    } else expect(r.status).toBe(201);
  });
});
