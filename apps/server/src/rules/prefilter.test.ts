import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../alert/types.js';
import { compileRule, evaluateRules, type CompiledRule } from './engine.js';
import { probesOf } from './prefilter.js';
import type { EventRule } from './types.js';

const integration = { id: 'i1', name: 'am', kind: 'alertmanager' };
const rule = (id: string, condition: string): EventRule => ({ id, integrationId: null, position: 0, name: id, condition, actions: { labels: { hit: id } }, enabled: true, createdAt: 0, updatedAt: 0 });

// Small alphabets so conditions and events collide often (matches, mismatches, missing labels).
const word = fc.constantFrom('db', 'web', 'd', 'disk', 'prod', '', 'x');
const LABELS = ['team', 'env', 'region', 'a-b'];
const arbEvent: fc.Arbitrary<AlertEvent> = fc.record({
  action: fc.constantFrom('trigger', 'resolve'),
  dedupKey: fc.option(word, { nil: undefined }),
  summary: fc.array(word, { maxLength: 3 }).map((w) => w.join(' ')),
  source: word,
  severity: fc.constantFrom('critical', 'error', 'warning', 'info'),
  details: fc.constant({}),
  links: fc.constant([]),
  fields: fc.dictionary(fc.constantFrom(...LABELS), word),
  raw: fc.constant({}),
}) as fc.Arbitrary<AlertEvent>;

// Conjuncts the prefilter recognises and ones it does not (left to CEL), in any combination.
const conjunct = fc.oneof(
  fc.tuple(fc.constantFrom(...LABELS.filter((l) => l !== 'a-b')), word).map(([l, w]) => `labels.${l} == "${w}"`),
  fc.tuple(word).map(([w]) => `"${w}" == labels["a-b"]`),
  fc.constantFrom(...LABELS.filter((l) => l !== 'a-b')).map((l) => `has(labels.${l})`),
  fc.tuple(fc.constantFrom('severity', 'source', 'summary', 'action', 'dedupKey'), word).map(([v, w]) => `${v} == "${w}"`),
  fc.tuple(fc.constantFrom('source', 'summary'), fc.constantFrom('startsWith', 'endsWith', 'contains'), word).map(([v, f, w]) => `${v}.${f}("${w}")`),
  fc.constantFrom('integration.kind == "am"', 'size(summary) > 3', 'labels.team != "db"', 'severity in ["critical", "error"]', 'true', 'false', 'labels.nope == "x" || true'),
);
const condition = fc.array(conjunct, { minLength: 1, maxLength: 4 }).map((c) => c.join(' && '));

describe('event rules: the prefilter', () => {
  it('recognises the cheap conjuncts of a condition', () => {
    const n = (c: string) => probesOf((compileRule(rule('r', c)).test as unknown as { ast: unknown }).ast).length;
    expect(n('has(labels.team) && labels.team == "db" && severity == "warning" && source.startsWith("h")')).toBe(4);
    expect(n('labels.team == "db" || severity == "warning"')).toBe(0);
    expect(n('size(summary) > 3')).toBe(0);
  });

  it('never changes an outcome: for any event and rule set, the same matches, failures, event and counters as CEL alone', () => {
    fc.assert(
      fc.property(arbEvent, fc.array(condition, { minLength: 1, maxLength: 8 }), (event, conditions) => {
        const withProbes = conditions.map((c, i) => compileRule(rule(`r${i}`, c)));
        const celOnly: CompiledRule[] = withProbes.map((c) => ({ ...c, probes: [] }));
        const statsA = new Map();
        const statsB = new Map();
        const a = evaluateRules([{ scope: 'global', rules: withProbes }], event, integration, statsA);
        const b = evaluateRules([{ scope: 'global', rules: celOnly }], event, integration, statsB);
        expect(a.outcome).toEqual(b.outcome);
        expect(a.event).toEqual(b.event);
        expect(statsA).toEqual(statsB);
      }),
      { numRuns: 500 },
    );
  });
});
