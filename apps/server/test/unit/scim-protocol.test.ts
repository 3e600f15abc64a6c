import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileScimFilter, listResponse, paging, readPatch, ScimError, USER_SCHEMA } from '../../src/scim/protocol.js';

/** A SCIM string literal: JSON's escaping, as RFC 7644 §3.4.2.2 says. */
const lit = (s: string) => JSON.stringify(s);
// No backslash: scim2-parse-filter cannot read a literal that ends in an escaped one ("a\\"), which
// then answers 400 invalidFilter (the last property); emails and names do not carry backslashes.
const text = fc.string({ maxLength: 12 }).filter((s) => !s.includes('\\'));
// Klaxon never stores an empty externalId (SCIM's pr means "has a non-empty value").
const user = fc.record({ userName: text, displayName: text, externalId: fc.option(text.filter(Boolean), { nil: undefined }), active: fc.boolean() });

describe('the SCIM filter (scim2-parse-filter, case-insensitive as caseExact=false says)', () => {
  it('userName eq "x" matches exactly the users whose userName equals x, ignoring case', () => {
    fc.assert(
      fc.property(user, text, (u, x) => {
        expect(compileScimFilter(`userName eq ${lit(x)}`, USER_SCHEMA)(u)).toBe(u.userName.toLowerCase() === x.toLowerCase());
        // The attribute name is case-insensitive too, and may carry its schema's URN.
        expect(compileScimFilter(`${USER_SCHEMA}:USERNAME eq ${lit(x)}`, USER_SCHEMA)(u)).toBe(u.userName.toLowerCase() === x.toLowerCase());
      }),
    );
  });

  it('and / or / pr / not compose as logic says', () => {
    fc.assert(
      fc.property(user, text, text, (u, x, y) => {
        const a = compileScimFilter(`userName eq ${lit(x)}`, USER_SCHEMA)(u);
        const b = compileScimFilter(`displayName eq ${lit(y)}`, USER_SCHEMA)(u);
        expect(compileScimFilter(`userName eq ${lit(x)} and displayName eq ${lit(y)}`, USER_SCHEMA)(u)).toBe(a && b);
        expect(compileScimFilter(`userName eq ${lit(x)} or displayName eq ${lit(y)}`, USER_SCHEMA)(u)).toBe(a || b);
        expect(compileScimFilter(`not (userName eq ${lit(x)})`, USER_SCHEMA)(u)).toBe(!a);
        expect(compileScimFilter('externalId pr', USER_SCHEMA)(u)).toBe(u.externalId !== undefined);
        expect(compileScimFilter(`active eq ${u.active}`, USER_SCHEMA)(u)).toBe(true);
      }),
    );
  });

  it('answers any text either with a test or a 400 invalidFilter, never another error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string({ maxLength: 60 }), fc.constantFrom('userName eq', 'eq "x"', '(', 'a eq "x" and', 'userName zz "x"', 'emails[type eq "work"')), user, (f, u) => {
        let test: ((r: object) => boolean) | undefined;
        try {
          test = compileScimFilter(f, USER_SCHEMA);
        } catch (e) {
          expect(e).toBeInstanceOf(ScimError);
          expect((e as ScimError).body()).toMatchObject({ status: '400', scimType: 'invalidFilter' });
          return;
        }
        expect(typeof test(u)).toBe('boolean');
      }),
    );
    expect(() => compileScimFilter('x'.repeat(2001), USER_SCHEMA)).toThrow(ScimError);
  });
});

describe('SCIM paging', () => {
  it('a page is the slice from startIndex (1-based) of at most count, with the total', () => {
    fc.assert(
      fc.property(fc.array(fc.nat(), { maxLength: 50 }), fc.integer({ min: -5, max: 60 }), fc.integer({ min: -5, max: 300 }), (all, startIndex, count) => {
        const p = paging({ startIndex: String(startIndex), count: String(count) });
        const r = listResponse(all, p);
        expect(r.totalResults).toBe(all.length);
        expect(r.startIndex).toBe(Math.max(1, startIndex));
        expect(r.Resources).toEqual(all.slice(Math.max(1, startIndex) - 1, Math.max(1, startIndex) - 1 + Math.min(200, Math.max(0, count))));
        expect(r.itemsPerPage).toBe(r.Resources.length);
      }),
    );
    expect(() => paging({ count: '1.5' })).toThrow(/count must be a whole number/);
  });
});

describe('SCIM PATCH bodies', () => {
  it('reads well-formed operations and refuses anything else with a SCIM 400', () => {
    expect(readPatch({ schemas: ['urn:ietf:params:scim:api:messages:2.0:PatchOp'], Operations: [{ op: 'Replace', path: 'active', value: false }] })).toEqual([
      { op: 'replace', path: 'active', value: false },
    ]);
    fc.assert(
      fc.property(fc.anything(), (body) => {
        try {
          readPatch(body);
        } catch (e) {
          expect(e).toBeInstanceOf(ScimError);
          expect((e as ScimError).status).toBe(400);
        }
      }),
    );
  });
});
