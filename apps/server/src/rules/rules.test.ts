import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { AlertEvent } from '../alert/types.js';
import { compileRule, evaluateRules, type CompiledRule, type RuleStats } from './engine.js';
import { compileTemplate, templateProblem } from './template.js';
import type { EventRule, RuleActions } from './types.js';
import { must } from '../lib/must.js';

const integration = { id: 'i1', name: 'am', kind: 'alertmanager' };
const rule = (id: string, condition: string, actions: RuleActions = {}): EventRule => ({
  id,
  integrationId: null,
  position: 0,
  name: id,
  condition,
  actions,
  enabled: true,
  createdAt: 0,
  updatedAt: 0,
});

const arbEvent: fc.Arbitrary<AlertEvent> = fc.record({
  action: fc.constantFrom('trigger', 'acknowledge', 'resolve'),
  dedupKey: fc.option(fc.string({ maxLength: 40 }), { nil: undefined }),
  summary: fc.string({ maxLength: 60 }),
  source: fc.string({ maxLength: 20 }),
  severity: fc.constantFrom('critical', 'error', 'warning', 'info'),
  details: fc.dictionary(fc.string({ maxLength: 8 }), fc.jsonValue({ maxDepth: 3 })),
  links: fc.constant([]),
  fields: fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 12 })),
  raw: fc.jsonValue({ maxDepth: 4 }),
}) as fc.Arbitrary<AlertEvent>;

// Conditions that compile but may fail at run time on some events (missing keys, wrong types).
const CONDITIONS = [
  'labels.team == "db"',
  'has(labels.team) && labels.team == "db"',
  'severity == "critical"',
  'summary.contains("disk")',
  'raw.alerts[0].labels.x == "y"',
  'details.count > 3',
  'size(labels) > 1',
  'source.startsWith("db-") || action == "resolve"',
  'raw',
  '1 / 0 == 1',
];
const arbActions: fc.Arbitrary<RuleActions> = fc.record(
  {
    route: fc.constant('svc'),
    severity: fc.constantFrom('critical', 'error', 'warning', 'info'),
    title: fc.constantFrom('{{summary}} on {{source}}', 'x {{labels.team}}', '{{raw}}'),
    dedupKey: fc.constantFrom('{{labels.alertname}}', '{{details.a.b}}'),
    labels: fc.dictionary(fc.string({ minLength: 1, maxLength: 5 }), fc.constantFrom('{{severity}}', 'v')),
    suppress: fc.boolean(),
    drop: fc.boolean(),
    pauseMinutes: fc.integer({ min: 1, max: 60 }),
    groupBy: fc.array(fc.string({ minLength: 1, maxLength: 5 }), { minLength: 1, maxLength: 3 }),
  },
  { requiredKeys: [] },
);

describe('the template renderer', () => {
  it('never throws when rendering, for any context; a placeholder renders the value at its path', () => {
    fc.assert(
      fc.property(
        fc.jsonValue({ maxDepth: 4 }),
        fc.string({ minLength: 1, maxLength: 10 }).filter((s) => /^[A-Za-z_][A-Za-z0-9_-]*$/.test(s)),
        fc.string({ maxLength: 20 }),
        (ctx, key, value) => {
          const t = compileTemplate(`<{{ ${key} }}>`);
          expect(() => t(ctx as Record<string, unknown>)).not.toThrow();
          expect(t({ [key]: value })).toBe(`<${value}>`);
        },
      ),
    );
  });

  it('text without braces renders as itself; a stray "{{" is refused at compile time', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 60 }), (text) => {
        if (!text.includes('{{')) expect(compileTemplate(text)({})).toBe(text);
        else if (templateProblem(text)) expect(() => compileTemplate(text)).toThrow();
      }),
    );
    expect(() => compileTemplate('a {{ b')).toThrow(/placeholder/);
    expect(compileTemplate('{{a.b}}-{{c}}')({ a: { b: 1 }, c: null })).toBe('1-');
  });
});

describe('rule evaluation', () => {
  it('never throws and never loses an event: for any event and rule set, a result for the event, one trace entry per rule run', () => {
    const arbRules = fc.array(fc.tuple(fc.constantFrom(...CONDITIONS), arbActions), { maxLength: 8 });
    fc.assert(
      fc.property(arbEvent, arbRules, (event, specs) => {
        const compiled: CompiledRule[] = specs.map(([c, a], i) => compileRule(rule(`r${i}`, c, a)));
        const stats = new Map<string, RuleStats>();
        const { event: out, outcome } = evaluateRules([{ scope: 'global', rules: compiled }], event, integration, stats);
        expect(out).toBeTruthy();
        expect(typeof out.summary).toBe('string');
        // Every rule up to a matching drop is accounted for exactly once: matched, failed or not matched.
        const seen = [...outcome.rules.map((r) => r.ruleId), ...outcome.notMatched];
        const dropped = outcome.rules.find((r) => r.result === 'matched' && r.actions?.drop);
        const dropAt = dropped ? compiled.findIndex((c) => c.rule.id === dropped.ruleId) : -1;
        expect(new Set(seen).size).toBe(seen.length);
        expect(seen.length).toBe(dropAt >= 0 ? dropAt + 1 : compiled.length);
        expect(outcome.dropped === true).toBe(dropAt >= 0);
        for (const r of outcome.rules) if (r.result === 'failed') expect(must(stats.get(r.ruleId), 'stats.get(r.ruleId)').failed).toBeGreaterThan(0);
      }),
    );
  });

  it('a failing rule counts as not matching and the next rule still runs', () => {
    const sets = [{ scope: 'global' as const, rules: [compileRule(rule('bad', 'labels.team == "x"', { drop: true })), compileRule(rule('good', 'true', { severity: 'critical' }))] }];
    const stats = new Map<string, RuleStats>();
    const { event, outcome } = evaluateRules(sets, { action: 'trigger', summary: 's', source: '', severity: 'info', details: {}, links: [], fields: {}, raw: {} }, integration, stats);
    expect(outcome.rules.map((r) => r.result)).toEqual(['failed', 'matched']);
    expect(outcome.notMatched).toEqual([]);
    expect(outcome.dropped).toBeUndefined();
    expect(event.severity).toBe('critical');
    expect(stats.get('bad')).toMatchObject({ failed: 1, matched: 0 });
  });

  it('urgency and priority are the outcome (for the incident) and labels; a priority outside P1..P5 (saved before they were enforced) stays a label only', () => {
    const ev: AlertEvent = { action: 'trigger', summary: 's', source: '', severity: 'critical', details: {}, links: [], fields: {}, raw: {} };
    const ok = evaluateRules([{ scope: 'global', rules: [compileRule(rule('a', 'true', { urgency: 'low', priority: 'P2' }))] }], ev, integration);
    expect(ok.outcome).toMatchObject({ urgency: 'low', priority: 'P2' });
    expect(ok.event.fields).toMatchObject({ urgency: 'low', priority: 'P2' });
    const old = evaluateRules([{ scope: 'global', rules: [compileRule(rule('b', 'true', { priority: 'high' } as unknown as RuleActions))] }], ev, integration);
    expect(old.outcome.priority).toBeUndefined();
    expect(old.event.fields.priority).toBe('high');
  });

  it('a condition that does not compile is a RuleProblem naming the condition', () => {
    expect(() => compileRule(rule('x', 'a ==='))).toThrow(/condition/);
  });
});
