import { Value } from '@sinclair/typebox/value';
import { describe, expect, it } from 'vitest';
// The server's own schema: the form's checks must agree with it.
import { StatusPageInput as ServerStatusPageInput } from '../../server/src/status/types.ts';
import { statusPageProblems, type StatusPageInput } from '../src/api/status.ts';

const base: StatusPageInput = { slug: 'acme', name: 'Acme Status', logoUrl: null, colors: { brand: '#7c3aed', background: '#ffffff', text: '#111827' }, businessServiceIds: [] };

const cases: [string, StatusPageInput][] = [
  ['valid', base],
  ['short colours', { ...base, colors: { brand: '#fff', background: '#000', text: '#abc' } }],
  ['colours with alpha', { ...base, colors: { brand: '#7c3aed80', background: '#ffffff', text: '#111827' } }],
  ['https logo', { ...base, logoUrl: 'https://acme.example/logo.png' }],
  ['http logo', { ...base, logoUrl: 'http://acme.example/logo.png' }],
  ['digits and dashes', { ...base, slug: '1-acme-eu' }],
  ['upper-case slug', { ...base, slug: 'Acme' }],
  ['slug with a space', { ...base, slug: 'acme shop' }],
  ['slug starting with a dash', { ...base, slug: '-acme' }],
  ['empty slug', { ...base, slug: '' }],
  ['slug of 64', { ...base, slug: 'a'.repeat(64) }],
  ['slug of 63', { ...base, slug: 'a'.repeat(63) }],
  ['empty name', { ...base, name: '' }],
  ['long name', { ...base, name: 'n'.repeat(201) }],
  ['ftp logo', { ...base, logoUrl: 'ftp://acme.example/logo.png' }],
  ['logo without scheme', { ...base, logoUrl: 'acme.example/logo.png' }],
  ['named colour', { ...base, colors: { brand: 'purple', background: '#ffffff', text: '#111827' } }],
  ['colour without #', { ...base, colors: { brand: '7c3aed', background: '#ffffff', text: '#111827' } }],
  ['colour too long', { ...base, colors: { brand: '#7c3aed801', background: '#ffffff', text: '#111827' } }],
];

describe('status page form checks agree with the API schema', () => {
  for (const [name, input] of cases) {
    it(name, () => {
      const problems = statusPageProblems(input);
      expect(Object.keys(problems).length === 0).toBe(Value.Check(ServerStatusPageInput, input));
    });
  }
  it('names the field the server would name', () => {
    expect(Object.keys(statusPageProblems({ ...base, colors: { brand: 'purple', background: '#ffffff', text: '#111827' } }))).toEqual(['colors.brand']);
    expect(Object.keys(statusPageProblems({ ...base, slug: 'A' }))).toEqual(['slug']);
  });
  it('refuses the reserved slugs the server refuses', () => {
    expect(statusPageProblems({ ...base, slug: 'api' }).slug).toContain('reserved');
    expect(statusPageProblems({ ...base, slug: 'subscriptions' }).slug).toContain('reserved');
  });
});
