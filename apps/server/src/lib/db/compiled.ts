import type { Compilable, CompiledQuery, Kysely, QueryResult, RawBuilder, Transaction } from 'kysely';

/**
 * A query built and compiled once per shape, then run with new parameters.
 *
 * Kysely builds an operation tree and compiles it to SQL on every call; on the paging path (a new
 * incident: about twenty statements through ingest, escalation, notification and delivery) that
 * cost more CPU than SQLite running the statements. `compiled(build)` runs `build` once with
 * placeholder values, keeps the SQL, and later only maps the caller's values onto the parameter
 * list. The SQL is Kysely's own, compiled by the dialect of the handle it runs on, so it is exactly
 * what the plain builder would have sent.
 *
 * A shape is the set of keys whose values are defined (Kysely leaves undefined insert values out)
 * and the length of every array (an `in` list, a multi-row insert): each shape compiles once, up to
 * MAX_SHAPES per query, past which calls compile as usual.
 *
 * `build` must be a pure function of its placeholders: only values reach the parameter list, so a
 * value that changes the SQL (a branch on it, a value used as an identifier) would be frozen at the
 * first call. Values are used as they are: strings, numbers, null, booleans and arrays/objects of them.
 */
export function compiled<DB, P extends object, R>(
  build: (db: Kysely<DB> | Transaction<DB>, p: P) => Compilable<R> | RawBuilder<R>,
): (db: Kysely<DB> | Transaction<DB>, params: P) => Promise<QueryResult<R>> {
  const byAdapter = new WeakMap<object, Map<string, Prepared<R>>>();
  return async (db, params) => {
    // The dialect adapter identifies how this handle compiles (a transaction shares its database's).
    // getExecutor() is public on Kysely's classes though documented as internal; the unit test
    // (test/unit/compiled-query.test.ts) fails first if an upgrade changes it.
    const adapter = (db as unknown as { getExecutor(): { adapter: object } }).getExecutor().adapter;
    let shapes = byAdapter.get(adapter);
    if (!shapes) byAdapter.set(adapter, (shapes = new Map()));
    const key = shapeOf(params);
    let prepared = shapes.get(key);
    if (!prepared) {
      if (shapes.size >= MAX_SHAPES) return db.executeQuery(compile(build(db, params), db));
      const query = compile(build(db, placeholders(params, []) as P), db);
      prepared = { query, slots: query.parameters.map((v) => (v instanceof Placeholder ? v.path : null)) };
      shapes.set(key, prepared);
    }
    const { query, slots } = prepared;
    const parameters = new Array<unknown>(slots.length);
    for (let i = 0; i < slots.length; i++) {
      const path = slots[i];
      parameters[i] = path ? valueAt(params, path) : query.parameters[i];
    }
    return db.executeQuery({ ...query, parameters } as CompiledQuery<R>);
  };
}

/** A query builder's or a raw `sql` template's compiled form (the latter needs the handle's dialect). */
function compile<DB, R>(b: Compilable<R> | RawBuilder<R>, db: Kysely<DB> | Transaction<DB>): CompiledQuery<R> {
  return 'isRawBuilder' in b ? b.compile(db) : b.compile();
}

/** Distinct shapes kept per query (multi-row inserts have one per row count). */
const MAX_SHAPES = 256;

type Path = readonly (string | number)[];

interface Prepared<R> {
  query: CompiledQuery<R>;
  /** For each parameter: where its value is in the caller's params, or null for a constant of the query. */
  slots: (Path | null)[];
}

/** Stands for the caller's value at `path` while the query is built. */
class Placeholder {
  constructor(readonly path: Path) {}
  /** Arithmetic or string building on a placeholder would freeze a wrong value into the SQL: refuse it. */
  [Symbol.toPrimitive](): never {
    throw new Error(`compiled(): the value at ${this.path.join('.')} was used in an expression while the query was built; compute it before the call`);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && Object.getPrototypeOf(v) === Object.prototype;
}

/** A copy of `v` with every leaf replaced by a Placeholder; undefined properties are left out. */
function placeholders(v: unknown, path: (string | number)[]): unknown {
  if (Array.isArray(v)) return v.map((x, i) => placeholders(x, [...path, i]));
  if (isPlainObject(v)) {
    const o: Record<string, unknown> = {};
    for (const k in v) if (v[k] !== undefined) o[k] = placeholders(v[k], [...path, k]);
    return o;
  }
  return new Placeholder(path);
}

/** The shape of `v`: keys with defined values and array lengths, recursively. */
function shapeOf(v: unknown): string {
  if (Array.isArray(v)) {
    let s = `[${v.length}`;
    for (const x of v) if (Array.isArray(x) || isPlainObject(x)) s += shapeOf(x);
    return s + ']';
  }
  if (isPlainObject(v)) {
    let s = '{';
    for (const k in v) {
      const x = v[k];
      if (x === undefined) continue;
      s += k;
      s += Array.isArray(x) || isPlainObject(x) ? shapeOf(x) : ',';
    }
    return s + '}';
  }
  return '';
}

function valueAt(v: unknown, path: Path): unknown {
  let cur = v as Record<string | number, unknown>;
  for (const k of path) cur = cur[k] as Record<string | number, unknown>;
  return cur;
}
