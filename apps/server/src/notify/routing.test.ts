import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FailoverProvider } from './failover.js';
import { callingCode, checkSmsRoutes, parseSmsRoutes, providerOrder } from './routing.js';
import { ProviderError, type OutgoingMessage, type Provider } from './types.js';
import { must } from '../lib/must.js';

const NAMES = ['twilio', 'vonage', 'plivo', 'telnyx'];
const CODES = ['1', '44', '33', '49', '353', '61', '91', '81'];
const SAMPLE: Record<string, string> = {
  '1': '+14155550100',
  '44': '+447700900123',
  '33': '+33612345678',
  '49': '+4915123456789',
  '353': '+353851234567',
  '61': '+61412345678',
  '91': '+919876543210',
  '81': '+819012345678',
};

describe('routing by country calling code', () => {
  it('finds the calling code of E.164 numbers', () => {
    for (const [cc, n] of Object.entries(SAMPLE)) expect(callingCode(n)).toBe(cc);
    expect(callingCode('not a number')).toBeNull();
  });

  it('a routed calling code gets exactly its route, any other number the default order', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.constantFrom(...CODES), { maxLength: 5 }),
        fc.array(fc.shuffledSubarray(NAMES, { minLength: 1 }), { minLength: 5, maxLength: 5 }),
        fc.shuffledSubarray(NAMES, { minLength: 1 }),
        fc.constantFrom(...CODES),
        (codes, lists, defaults, dest) => {
          const routes = checkSmsRoutes(
            codes.map((c, i) => ({ prefix: `+${c}`, providers: lists[i] })),
            NAMES,
          );
          const route = routes.find((r) => r.prefix === `+${dest}`);
          expect(providerOrder(must(SAMPLE[dest], 'SAMPLE[dest]'), routes, defaults)).toEqual(route ? route.providers : defaults);
        },
      ),
    );
  });

  it('refuses bad routes with a message that says what is wrong', () => {
    expect(() => parseSmsRoutes('nope', NAMES)).toThrow(/must be JSON/);
    expect(() => parseSmsRoutes('{}', NAMES)).toThrow(/list of routes/);
    expect(() => parseSmsRoutes('[{"prefix":"+999","providers":["twilio"]}]', NAMES)).toThrow(/calling code/);
    expect(() => parseSmsRoutes('[{"prefix":"44","providers":["twilio"]}]', NAMES)).toThrow(/calling code/);
    expect(() => parseSmsRoutes('[{"prefix":"+44","providers":["sinch"]}]', NAMES)).toThrow(/sinch is not a configured provider/);
    expect(() => parseSmsRoutes('[{"prefix":"+44","providers":[]}]', NAMES)).toThrow(/non-empty/);
    expect(() => parseSmsRoutes('[{"prefix":"+44","providers":["twilio"]},{"prefix":"+44","providers":["vonage"]}]', NAMES)).toThrow(/routed twice/);
    expect(parseSmsRoutes('[{"prefix":"+44","providers":["vonage","twilio"]}]', NAMES)).toEqual([{ prefix: '+44', providers: ['vonage', 'twilio'] }]);
  });

  it('never throws anything but an Error with a message on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.json(), (j) => {
        try {
          parseSmsRoutes(j, NAMES);
        } catch (e) {
          expect(e).toBeInstanceOf(Error);
          expect((e as Error).message.length).toBeGreaterThan(5);
        }
      }),
    );
  });
});

describe('FailoverProvider', () => {
  const msg = (destination: string, skip?: string[]): OutgoingMessage => ({ id: 'm1', channel: 'sms', destination, message: { kind: 'test', userName: 'A' }, ...(skip && { skipProviders: skip }) });
  const fake = (name: string, fails: Set<string>, calls: string[]): Provider => ({
    channel: 'sms',
    async send() {
      calls.push(name);
      if (fails.has(name)) throw new ProviderError(`${name} down`, false);
      return { providerMessageId: `${name}-id`, providerStatus: 'queued' };
    },
  });

  it('tries the route in order, skips failed providers, and reports each failover; all failing is permanent', async () => {
    await fc.assert(
      fc.asyncProperty(fc.shuffledSubarray(NAMES, { minLength: 2 }), fc.subarray(NAMES), fc.subarray(NAMES), async (order, failing, skipped) => {
        const calls: string[] = [];
        const fails = new Set(failing);
        const p = new FailoverProvider('sms', new Map(NAMES.map((n) => [n, fake(n, fails, calls)])), [{ prefix: '+44', providers: order }], ['twilio']);
        const todo = order.filter((n) => !skipped.includes(n));
        const winner = todo.find((n) => !fails.has(n));
        try {
          const r = await p.send(msg('+447700900123', skipped));
          expect(r.provider).toBe(winner);
          expect(calls).toEqual(todo.slice(0, todo.indexOf(must(winner, 'winner')) + 1));
          expect((r.failovers ?? []).map((f) => f.from)).toEqual(todo.slice(0, todo.indexOf(must(winner, 'winner'))));
        } catch (e) {
          expect(winner).toBeUndefined();
          expect(calls).toEqual(todo);
          expect((e as ProviderError).permanent).toBe(todo.length > 1 || skipped.some((s) => order.includes(s)) || todo.length === 0);
        }
      }),
    );
  });
});
