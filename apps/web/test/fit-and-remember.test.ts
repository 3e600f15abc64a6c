import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import { fitWidth } from '../src/incidents/fit-width.ts';
import { preselect, rememberIntegration, rememberedIntegration } from '../src/integrations/remembered.ts';
import { must } from '../src/lib/must.ts';

describe('filter widths', () => {
  it('fit the widest text plus the input’s padding and right section, and never shrink when a text is added (property)', () => {
    const font = '14px sans-serif';
    expect(fitWidth([], { font })).toBe(56);
    expect(fitWidth(['Any severity'], { font })).toBeGreaterThan(fitWidth(['Anyone'], { font }));
    fc.assert(
      fc.property(fc.array(fc.string()), fc.string(), (texts, more) => {
        const w = fitWidth(texts, { font });
        expect(w).toBeGreaterThanOrEqual(56);
        expect(fitWidth([...texts, more], { font })).toBeGreaterThanOrEqual(w);
        expect(fitWidth(texts, { font, leftSection: true })).toBe(w + 24);
      }),
    );
  });
});

describe('the integration a test alert was last sent through', () => {
  const store = new Map<string, string>();
  const g = globalThis as { localStorage?: unknown };
  afterEach(() => {
    store.clear();
    delete g.localStorage;
  });
  const install = () => {
    g.localStorage = { getItem: (k: string) => store.get(k) ?? null, setItem: (k: string, v: string) => void store.set(k, v) };
  };

  it('is remembered per service and preselected while it exists; else the first', () => {
    install();
    const list = [{ id: 'a' }, { id: 'b' }, { id: 'c' }];
    expect(preselect('svc-1', list)?.id).toBe('a');
    rememberIntegration('svc-1', 'c');
    expect(rememberedIntegration('svc-1')).toBe('c');
    expect(preselect('svc-1', list)?.id).toBe('c');
    expect(preselect('svc-2', list)?.id).toBe('a');
    expect(preselect('svc-1', [{ id: 'a' }])?.id).toBe('a'); // deleted since
    expect(preselect('svc-1', [])).toBeNull();
  });

  it('without storage (blocked, or no browser) falls back to the first and does not throw', () => {
    expect(rememberedIntegration('svc-1')).toBeNull();
    expect(() => rememberIntegration('svc-1', 'b')).not.toThrow();
    expect(preselect('svc-1', [{ id: 'a' }, { id: 'b' }])?.id).toBe('a');
  });

  it('always preselects one of the given integrations, or nothing when there are none (property)', () => {
    install();
    fc.assert(
      fc.property(fc.uniqueArray(fc.string({ minLength: 1 })), fc.option(fc.string()), (ids, remembered) => {
        store.clear();
        if (remembered !== null) rememberIntegration('s', remembered);
        const got = preselect(
          's',
          ids.map((id) => ({ id })),
        );
        if (!ids.length) expect(got).toBeNull();
        else expect(ids).toContain(must(got).id);
        if (remembered !== null && ids.includes(remembered)) expect(must(got).id).toBe(remembered);
      }),
    );
  });
});
