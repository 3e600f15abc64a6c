/**
 * The API with day turns that count only some weekdays (turn.weekdays) and turns on call for their
 * first minutes only (turn.onCallMinutes): created, answered by the on-call question, read back, and
 * refused with a clear 400 when misused. SQLite and PostgreSQL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addResponder, DIALECTS, startTestKlaxon, type TestKlaxon } from '../harness.js';

describe.each(DIALECTS)('schedules with turn.weekdays (%s)', (dialect) => {
  let t: TestKlaxon;
  beforeAll(async () => {
    t = await startTestKlaxon(dialect);
    for (const n of ['Alice', 'Bob', 'Carol']) await addResponder(t, { name: n, email: `${n.toLowerCase()}@example.com`, rules: [{ type: 'email', delayMinutes: 0 }] });
  });
  afterAll(() => t.stop());

  it('rotates on weekdays only, and says what is wrong with a bad list', async () => {
    const layer = {
      name: 'weekdays',
      participants: ['alice@example.com', 'bob@example.com', 'carol@example.com'],
      turn: { unit: 'day', count: 1, weekdays: ['mon', 'tue', 'wed', 'thu', 'fri'] },
      handoffTime: '09:00',
      start: '2024-03-04T09:00',
    };
    const created = await t.api('POST', '/api/v1/schedules', { name: 'Weekdays', timeZone: 'Europe/Berlin', layers: [layer] });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    expect(created.body.schedule.layers[0].turn).toEqual(layer.turn);
    const who = async (at: string) => (await t.api('GET', `/api/v1/schedules/Weekdays/oncall?at=${encodeURIComponent(at)}`)).body.oncall.users.map((u: { email: string }) => u.email);
    expect(await who('2024-03-08T12:00+01:00')).toEqual(['bob@example.com']); // Friday
    expect(await who('2024-03-10T23:00+01:00')).toEqual(['bob@example.com']); // Sunday: Friday's turn
    expect(await who('2024-03-11T09:00+01:00')).toEqual(['carol@example.com']); // Monday
    const got = await t.api('GET', '/api/v1/schedules/Weekdays');
    expect(got.body.schedule.layers[0].turn.weekdays).toEqual(['mon', 'tue', 'wed', 'thu', 'fri']);

    const bad = await t.api('POST', '/api/v1/schedules', { name: 'Bad', timeZone: 'UTC', layers: [{ ...layer, turn: { unit: 'week', count: 1, weekdays: ['mon'] } }] });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('only applies to day turns');
    const part = await t.api('POST', '/api/v1/schedules', {
      name: 'Evenings',
      timeZone: 'Europe/Berlin',
      layers: [{ ...layer, turn: { unit: 'day', count: 2, onCallMinutes: 240 }, handoffTime: '20:00', start: '2024-03-25T20:00' }],
    });
    expect(part.status, JSON.stringify(part.body)).toBe(201);
    const evening = async (at: string) => (await t.api('GET', `/api/v1/schedules/Evenings/oncall?at=${encodeURIComponent(at)}`)).body.oncall.users.map((u: { email: string }) => u.email);
    expect(await evening('2024-03-25T23:00+01:00')).toEqual(['alice@example.com']);
    expect(await evening('2024-03-26T21:00+01:00')).toEqual([]); // alice's turn, past its 4 hours
    expect(await evening('2024-03-27T21:00+01:00')).toEqual(['bob@example.com']);
    const tooLong = await t.api('POST', '/api/v1/schedules', { name: 'Bad', timeZone: 'UTC', layers: [{ ...layer, turn: { unit: 'day', count: 1, onCallMinutes: 2000 } }] });
    expect(tooLong.status).toBe(400);
    expect(JSON.stringify(tooLong.body)).toContain('onCallMinutes');
    const unknown = await t.api('POST', '/api/v1/schedules', { name: 'Bad', timeZone: 'UTC', layers: [{ ...layer, turn: { unit: 'day', count: 1, weekdays: ['someday'] } }] });
    expect(unknown.status).toBe(400);
  }, 60_000);
});
