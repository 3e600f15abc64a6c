import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

// One validator configuration: query strings are text and are coerced to the schema's types;
// JSON bodies are not, so a number sent as a string is refused with a 400 that names the field.
describe.each(DIALECTS)('request bodies are validated without coercion (%s)', (dialect) => {
  let t: TestKlaxon;
  let bob: string;
  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    bob = (await t.api('POST', '/api/v1/users', { email: 'bob@example.com', name: 'Bob' })).body.user.id;
    await t.api('POST', '/api/v1/services', { name: 'billing' });
  });
  afterAll(() => t?.stop());

  it('a number sent as a string is a 400 that says the field must be a number', async () => {
    const bad = await t.api('POST', '/api/v1/escalation-policies', { name: 'strings', levels: [{ delayMinutes: '5', targets: [{ type: 'user', id: bob }] }] });
    expect(bad.status).toBe(400);
    expect(bad.body.error.code).toBe('invalid');
    expect(bad.body.error.message).toBe('Invalid request: levels.0.delayMinutes: must be integer');
    const good = await t.api('POST', '/api/v1/escalation-policies', { name: 'numbers', levels: [{ delayMinutes: 5, targets: [{ type: 'user', id: bob }] }] });
    expect(good.status).toBe(201);
    expect(good.body.escalationPolicy.levels[0].delayMinutes).toBe(5);
  });

  it('a boolean sent as a string, and a string sent as a number, are refused too', async () => {
    const flag = await t.api('PATCH', '/api/v1/severity-levels/SEV1', { major: 'true' });
    expect(flag.status).toBe(400);
    expect(flag.body.error.message).toBe('Invalid request: major: must be boolean');
    expect((await t.api('PATCH', '/api/v1/severity-levels/SEV1', { major: true })).status).toBe(200);
    const name = await t.api('POST', '/api/v1/teams', { name: 42 });
    expect(name.status).toBe(400);
    expect(name.body.error.message).toBe('Invalid request: name: must be string');
  });

  it('query strings are still read as the numbers they stand for', async () => {
    for (const title of ['one', 'two', 'three']) expect((await t.api('POST', '/api/v1/incidents', { service: 'billing', title })).status).toBe(201);
    const page = await t.api('GET', '/api/v1/incidents?limit=2');
    expect(page.status).toBe(200);
    expect(page.body.incidents).toHaveLength(2);
    const bad = await t.api('GET', '/api/v1/incidents?limit=lots');
    expect(bad.status).toBe(400);
  });
});
