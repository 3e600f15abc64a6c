import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { computeSlackSignature, verifySlackRequest } from './signature.js';

// The worked example from Slack's "Verifying requests from Slack"
// (https://api.slack.com/authentication/verifying-requests-from-slack).
const SECRET = '8f742231b10e8888abcd99yyyzzz85a5';
const TS = 1531420618;
const BODY =
  'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c';
const EXPECTED = 'v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503';

const headers = (sig: string, ts: number | string = TS) => ({ 'x-slack-signature': sig, 'x-slack-request-timestamp': String(ts) });

describe('Slack signature', () => {
  it("matches Slack's documented example", () => {
    expect(computeSlackSignature(SECRET, TS, BODY)).toBe(EXPECTED);
    expect(verifySlackRequest(SECRET, headers(EXPECTED), BODY, TS * 1000)).toBe(true);
    expect(verifySlackRequest(SECRET, headers(EXPECTED), Buffer.from(BODY), TS * 1000 + 10_000)).toBe(true);
  });

  it('rejects timestamps more than five minutes away (replay)', () => {
    expect(verifySlackRequest(SECRET, headers(EXPECTED), BODY, (TS + 300) * 1000)).toBe(true);
    expect(verifySlackRequest(SECRET, headers(EXPECTED), BODY, (TS + 301) * 1000)).toBe(false);
    expect(verifySlackRequest(SECRET, headers(EXPECTED), BODY, (TS - 301) * 1000)).toBe(false);
  });

  it('rejects a tampered body, a wrong secret, other timestamps and missing headers', () => {
    const now = TS * 1000;
    expect(verifySlackRequest(SECRET, headers(EXPECTED), BODY + '&x=1', now)).toBe(false);
    expect(verifySlackRequest('other', headers(EXPECTED), BODY, now)).toBe(false);
    expect(verifySlackRequest(SECRET, headers(EXPECTED, TS + 1), BODY, now)).toBe(false);
    expect(verifySlackRequest(SECRET, headers(EXPECTED, 'abc'), BODY, now)).toBe(false);
    expect(verifySlackRequest(SECRET, { 'x-slack-request-timestamp': String(TS) }, BODY, now)).toBe(false);
    expect(verifySlackRequest(SECRET, { 'x-slack-signature': EXPECTED }, BODY, now)).toBe(false);
    expect(verifySlackRequest(SECRET, headers(EXPECTED.toUpperCase()), BODY, now)).toBe(false);
  });

  it('property: verify(sign(x)) holds and any single-byte change of the body or signature breaks it', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 1, maxLength: 40 }),
        fc.uint8Array({ minLength: 1, maxLength: 300 }),
        fc.integer({ min: 1_000_000_000, max: 4_000_000_000 }),
        fc.nat(),
        fc.integer({ min: 1, max: 255 }),
        (secret, body, ts, pos, delta) => {
          const sig = computeSlackSignature(secret, ts, body);
          expect(verifySlackRequest(secret, headers(sig, ts), body, ts * 1000)).toBe(true);
          const tampered = Uint8Array.from(body);
          const i = pos % tampered.length;
          tampered[i] = ((tampered[i] ?? 0) + delta) & 0xff;
          expect(verifySlackRequest(secret, headers(sig, ts), tampered, ts * 1000)).toBe(false);
          const j = 3 + (pos % (sig.length - 3));
          const badSig = sig.slice(0, j) + (sig[j] === '0' ? '1' : '0') + sig.slice(j + 1);
          expect(verifySlackRequest(secret, headers(badSig, ts), body, ts * 1000)).toBe(false);
        },
      ),
    );
  });
});
