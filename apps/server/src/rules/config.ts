import type { Ctx } from '../context.js';
import { newId } from '../lib/ids.js';
import { compileRule, RuleProblem } from './engine.js';
import * as store from './store.js';
import type { EventRule, RuleActions } from './types.js';

/** An event rule as klaxon.yaml writes it (config/schema.ts RuleSpec). */
export interface RuleFileSpec {
  name: string;
  condition: string;
  actions?: RuleActions;
  enabled?: boolean;
}

/** A rule set the file manages: global (integration null) or one integration's, named for messages. */
export interface ManagedSet {
  /** null: the global set; otherwise how to find the integration when the step runs (it may be created by the same apply). */
  integration: null | { service: string; name: string };
  rules: RuleFileSpec[];
  /** Where the set is in the document, for problems. */
  path: readonly (string | number)[];
}

const canonical = (r: { name: string; condition: string; actions?: RuleActions; enabled?: boolean }) =>
  JSON.stringify({ name: r.name, condition: r.condition, actions: r.actions ?? {}, enabled: r.enabled ?? true });

/** A rule file spec as the file would write it (for export: defaults left out). */
export function ruleToSpec(r: EventRule): RuleFileSpec {
  return { name: r.name, condition: r.condition, ...(Object.keys(r.actions).length > 0 && { actions: r.actions }), ...(!r.enabled && { enabled: false }) };
}

/** The rules of each set in order: global under '', integrations under their id. */
export async function rulesBySet(ctx: Ctx): Promise<Map<string, EventRule[]>> {
  const out = new Map<string, EventRule[]>();
  for (const r of await store.allRules(ctx.db.kysely)) {
    const k = r.integrationId ?? '';
    out.set(k, [...(out.get(k) ?? []), r]);
  }
  for (const l of out.values()) l.sort((a, b) => a.position - b.position || a.createdAt - b.createdAt);
  return out;
}

/**
 * Plans the file's rule sets: problems for rules that do not compile (with their path), a change line
 * per set that differs, and a step per such set that replaces it (run after integrations are created).
 */
export async function planRuleSets(
  ctx: Ctx,
  sets: ManagedSet[],
  integrationIdOf: (service: string, name: string) => Promise<string | undefined>,
  existingIntegrationId: (service: string, name: string) => string | undefined,
  problem: (path: readonly (string | number)[], message: string) => void,
): Promise<{ changes: string[]; steps: { path: readonly (string | number)[]; run: () => Promise<void> }[] }> {
  const current = await rulesBySet(ctx);
  const changes: string[] = [];
  const steps: { path: readonly (string | number)[]; run: () => Promise<void> }[] = [];
  for (const set of sets) {
    let ok = true;
    set.rules.forEach((r, i) => {
      try {
        compileRule({ id: 'x', integrationId: null, position: i, name: r.name, condition: r.condition, actions: r.actions ?? {}, enabled: true, createdAt: 0, updatedAt: 0 });
      } catch (e) {
        if (!(e instanceof RuleProblem)) throw e;
        ok = false;
        problem([...set.path, i, ...e.field.split('.')], e.message);
      }
    });
    if (!ok) continue;
    const label = set.integration ? `integration ${set.integration.service}/${set.integration.name}` : 'global';
    const haveId = set.integration ? existingIntegrationId(set.integration.service, set.integration.name) : '';
    const have = haveId === undefined ? [] : (current.get(haveId) ?? []);
    if (have.map(canonical).join('\n') === set.rules.map(canonical).join('\n')) continue;
    changes.push(`~ event rules (${label}): ${have.length} -> ${set.rules.length} rule${set.rules.length === 1 ? '' : 's'}`);
    steps.push({
      path: set.path,
      run: async () => {
        const integrationId = set.integration ? await integrationIdOf(set.integration.service, set.integration.name) : null;
        if (integrationId === undefined) return;
        const db = ctx.db.kysely;
        await store.deleteRuleSet(db, integrationId);
        const now = ctx.clock.now();
        for (const [i, r] of set.rules.entries()) {
          await store.insertRule(db, {
            id: newId(),
            integrationId,
            position: i + 1,
            name: r.name,
            condition: r.condition,
            actions: r.actions ?? {},
            enabled: r.enabled ?? true,
            createdAt: now,
            updatedAt: now,
          });
        }
      },
    });
  }
  return { changes, steps };
}
