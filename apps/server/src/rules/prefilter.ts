/**
 * Cheap necessary checks of a CEL condition, found once when the rule is compiled: the top-level
 * conjuncts (`a && b && ...`) that compare a variable with a string literal (`severity == "warning"`,
 * `labels.team == "db"`, `labels["x"] == "y"`, `integration.kind == "pagerduty"`), test for a label
 * (`has(labels.team)`), or test a string variable against a literal (`source.startsWith("db-")`,
 * `summary.contains("disk")`, `.endsWith`). Each check answers `false` only when CEL would certainly
 * give false for that conjunct; it answers `undefined` whenever it cannot tell (a missing label, a
 * value that is not a string), and then CEL decides. In CEL a conjunction with one false conjunct is
 * false even when another conjunct errors, so a rule with any check answering `false` does not match,
 * exactly as CEL would say, and the CEL program is not run (docs/event-rules.md, Benchmark).
 */

/** A necessary check: false means the condition is certainly false; undefined: cannot tell. */
export type Probe = (vars: Record<string, unknown>) => false | undefined;

interface Node {
  op: string;
  args: unknown;
}

const STRING_VARS = new Set(['action', 'summary', 'source', 'severity', 'dedupKey']);
const MAP_VARS = new Set(['labels', 'integration']);

const isNode = (x: unknown): x is Node => typeof x === 'object' && x !== null && typeof (x as Node).op === 'string';
const literal = (n: unknown): string | undefined => (isNode(n) && n.op === 'value' && typeof n.args === 'string' ? n.args : undefined);

/** Reads a value a node names: a string variable, or a map variable's key (`labels.x`, `labels["x"]`). */
function reader(n: unknown): ((vars: Record<string, unknown>) => unknown) | undefined {
  if (!isNode(n)) return undefined;
  if (n.op === 'id' && typeof n.args === 'string' && STRING_VARS.has(n.args)) {
    const name = n.args;
    return (vars) => vars[name];
  }
  const mapKey = keyOf(n);
  if (mapKey) {
    const [map, key] = mapKey;
    return (vars) => {
      const m = vars[map];
      return typeof m === 'object' && m !== null && Object.hasOwn(m, key) ? (m as Record<string, unknown>)[key] : undefined;
    };
  }
  return undefined;
}

/** `labels.x` or `labels["x"]` (and the same on `integration`): the map variable and the key. */
function keyOf(n: Node): [string, string] | undefined {
  if ((n.op === '.' || n.op === '[]') && Array.isArray(n.args) && n.args.length === 2) {
    const [target, key] = n.args as [unknown, unknown];
    if (!isNode(target) || target.op !== 'id' || typeof target.args !== 'string' || !MAP_VARS.has(target.args)) return undefined;
    const k = n.op === '.' ? (typeof key === 'string' ? key : undefined) : literal(key);
    return k === undefined ? undefined : [target.args, k];
  }
  return undefined;
}

function probeOf(n: Node): Probe | undefined {
  if (n.op === '==' && Array.isArray(n.args) && n.args.length === 2) {
    const [a, b] = n.args as [unknown, unknown];
    const lit = literal(b) ?? literal(a);
    const read = literal(b) !== undefined ? reader(a) : reader(b);
    if (lit === undefined || !read) return undefined;
    return (vars) => {
      const v = read(vars);
      return typeof v === 'string' && v !== lit ? false : undefined;
    };
  }
  if (n.op === 'call' && Array.isArray(n.args) && n.args[0] === 'has' && Array.isArray(n.args[1]) && n.args[1].length === 1) {
    const inner = n.args[1][0] as unknown;
    if (!isNode(inner) || inner.op !== '.') return undefined;
    const mk = keyOf(inner);
    if (!mk) return undefined;
    const [map, key] = mk;
    return (vars) => {
      const m = vars[map];
      return typeof m === 'object' && m !== null && !(m instanceof Map) && !Object.hasOwn(m, key) ? false : undefined;
    };
  }
  if (n.op === 'rcall' && Array.isArray(n.args) && n.args.length === 3) {
    const [fn, target, params] = n.args as [unknown, unknown, unknown];
    if (fn !== 'startsWith' && fn !== 'endsWith' && fn !== 'contains') return undefined;
    if (!isNode(target) || target.op !== 'id' || typeof target.args !== 'string' || !STRING_VARS.has(target.args)) return undefined;
    if (!Array.isArray(params) || params.length !== 1) return undefined;
    const lit = literal(params[0]);
    if (lit === undefined) return undefined;
    const name = target.args;
    const test = fn === 'startsWith' ? (s: string) => s.startsWith(lit) : fn === 'endsWith' ? (s: string) => s.endsWith(lit) : (s: string) => s.includes(lit);
    return (vars) => {
      const s = vars[name];
      return typeof s === 'string' && !test(s) ? false : undefined;
    };
  }
  return undefined;
}

/** The necessary checks of a parsed condition's AST (empty when none is recognised). */
export function probesOf(ast: unknown): Probe[] {
  const out: Probe[] = [];
  const walk = (n: unknown): void => {
    if (!isNode(n)) return;
    if (n.op === '&&' && Array.isArray(n.args) && n.args.length === 2) {
      walk(n.args[0]);
      walk(n.args[1]);
      return;
    }
    const p = probeOf(n);
    if (p) out.push(p);
  };
  walk(ast);
  return out;
}
