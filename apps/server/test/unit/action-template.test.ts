import { randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { SecretBox, isSealed } from '../../src/lib/secret-box.js';
import { bodySlot, fillBody, fillJson, fillTemplate, placeholdersOnlyInPathOrQuery, redact, secretForms } from '../../src/warroom/action-template.js';

describe('action templates', () => {
  it('property: a value in a JSON body never adds or changes fields, inside or outside a string', () => {
    fc.assert(
      fc.property(fc.string(), fc.string(), (args, other) => {
        const out = fillJson('{"reason":"why: {{args}}","raw":{{args}},"n":{{incident.number}},"esc":"a \\"{{other}}\\" b"}', { args, 'incident.number': '7', other });
        const parsed = JSON.parse(out) as Record<string, unknown>;
        expect(Object.keys(parsed)).toEqual(['reason', 'raw', 'n', 'esc']);
        expect(parsed.reason).toBe(`why: ${args}`);
        expect(parsed.raw).toBe(args);
        expect(parsed.n).toBe('7');
        expect(parsed.esc).toBe(`a "${other}" b`);
      }),
    );
  });

  it('property: a value in a URL is one component; in a header it cannot start a new line', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.constantFrom('.', '..')), (args) => {
        // "." and ".." would be dot segments of the path, which URL parsing removes: refused.
        if (args === '.' || args === '..') {
          expect(() => fillTemplate('https://ops.example/run/{{args}}?q={{args}}&fixed=1', { args }, 'url')).toThrow('it would change the URL');
          return;
        }
        const u = new URL(fillTemplate('https://ops.example/run/{{args}}?q={{args}}&fixed=1', { args }, 'url'));
        expect(u.host).toBe('ops.example');
        expect([...u.searchParams.keys()]).toEqual(['q', 'fixed']);
        expect(u.searchParams.get('q')).toBe(args);
        expect(decodeURIComponent(u.pathname.slice('/run/'.length))).toBe(args);
        expect(fillTemplate('Bearer {{args}}', { args }, 'header')).not.toMatch(/[\r\n\0]/);
      }),
    );
  });

  it('picks the body escaping from the content type or the first character', () => {
    expect(bodySlot({ 'Content-Type': 'application/json; charset=utf-8' }, 'x')).toBe('json');
    expect(bodySlot({}, ' {"a":1}')).toBe('json');
    expect(bodySlot({ 'content-type': 'application/x-www-form-urlencoded' }, 'a={{args}}')).toBe('form');
    expect(bodySlot({ 'content-type': 'text/plain' }, '{"a":1}')).toBe('text');
    expect(fillBody('a={{args}}&b=2', { args: 'x&b=3' }, 'form')).toBe('a=x%26b%3D3&b=2');
  });

  it('refuses placeholders in the scheme, host or port', () => {
    expect(placeholdersOnlyInPathOrQuery('https://ops.example/{{args}}?k={{secrets.K}}')).toBe(true);
    expect(placeholdersOnlyInPathOrQuery('https://{{args}}/x')).toBe(false);
    expect(placeholdersOnlyInPathOrQuery('https://ops.example{{args}}/x')).toBe(false);
    expect(placeholdersOnlyInPathOrQuery('https://ops.example:{{args}}/x')).toBe(false);
    expect(placeholdersOnlyInPathOrQuery('{{args}}')).toBe(false);
  });

  it('property: a secret is redacted raw, URL-encoded, JSON-escaped and base64 at any alignment', () => {
    fc.assert(
      fc.property(
        fc.string({ minLength: 3, maxLength: 40 }).filter((s) => s.trim().length >= 3 && !'[redacted]'.includes(s)),
        fc.string({ maxLength: 5 }),
        fc.string({ maxLength: 5 }),
        (secret, pre, post) => {
          const secrets = { S: secret };
          const b64 = Buffer.from(`${pre}${secret}${post}`).toString('base64');
          const texts = [secret, encodeURIComponent(secret), JSON.stringify(secret), Buffer.from(secret).toString('base64'), Buffer.from(secret).toString('base64url')];
          for (const text of texts) expect(redact(`<${text}>`, secrets)).toContain('[redacted]');
          // Inside a longer base64 text, what depends on the secret alone is gone.
          if (Buffer.byteLength(secret) >= 6) expect(redact(b64, secrets)).toContain('[redacted]');
          expect(redact(`a ${secret} b`, secrets)).not.toContain(secret);
        },
      ),
    );
  });

  it('every base64 form is a substring of the encoding at its alignment', () => {
    const secret = 'tøken-with-bytes';
    const forms = secretForms(secret);
    for (const pre of ['', 'a', 'ab', 'abc', 'user:']) {
      const b64 = Buffer.from(`${pre}${secret}!`).toString('base64');
      expect(
        forms.some((f) => f.length >= 4 && b64.includes(f)),
        pre,
      ).toBe(true);
    }
  });
});

describe('SecretBox', () => {
  const box = new SecretBox(randomBytes(32));
  it('property: seal then open gives the value back; the sealed text does not contain it', () => {
    fc.assert(
      fc.property(fc.string({ minLength: 1 }), (v) => {
        const sealed = box.seal(v, 'action-secret');
        expect(isSealed(sealed)).toBe(true);
        expect(box.open(sealed, 'action-secret')).toBe(v);
        if (v.length >= 4) expect(sealed).not.toContain(v);
      }),
    );
  });
  it('refuses another purpose or key; reads legacy plaintext as it is', () => {
    const sealed = box.seal('s3cret', 'action-secret');
    expect(() => box.open(sealed, 'other')).toThrow(/cannot decrypt/);
    expect(() => new SecretBox(randomBytes(32)).open(sealed, 'action-secret')).toThrow(/KLAXON_SECRET_KEY/);
    expect(box.open('plain-old', 'action-secret')).toBe('plain-old');
    expect(() => new SecretBox(randomBytes(16))).toThrow(/32 bytes/);
  });
});
