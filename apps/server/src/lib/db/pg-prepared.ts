import { createHash } from 'node:crypto';
import type pg from 'pg';

/**
 * Server-side prepared statements for the statements Klaxon runs over and over.
 *
 * Kysely sends every query unnamed, so PostgreSQL parses and plans it on every call. For a statement
 * seen REPEAT_BEFORE_NAMING times, this gives node-postgres a name derived from its text: the
 * connection parses it once and later calls only bind and execute (node-postgres remembers which
 * names each connection has prepared). At most MAX_NAMED texts get names, so ad-hoc statements
 * (in-lists of every length) cannot fill the server's memory.
 *
 * A prepared `select *` fails with SQLSTATE 0A000 ("cached plan must not change result type") once
 * a migration changed its table under a running instance (a rolling upgrade); such a statement runs
 * unnamed from then on, and the call that hit the error is retried unnamed, so the caller never sees it.
 */
export function prepareRepeatedStatements(client: pg.PoolClient): void {
  const query = client.query.bind(client) as (config: unknown, values?: unknown) => Promise<pg.QueryResult>;
  (client as { query: unknown }).query = (text: unknown, values?: unknown) => {
    if (typeof text !== 'string' || !Array.isArray(values)) return query(text, values);
    const name = nameFor(text);
    if (!name) return query(text, values);
    return query({ name, text, values }).catch((err: { code?: string }) => {
      if (err?.code !== '0A000') throw err;
      stale.add(text);
      return query(text, values);
    });
  };
}

const REPEAT_BEFORE_NAMING = 2;
const MAX_NAMED = 1000;
const MAX_COUNTED = 10_000;

const seen = new Map<string, number>();
const names = new Map<string, string>();
const stale = new Set<string>();

function nameFor(text: string): string | null {
  const known = names.get(text);
  if (known) return stale.has(text) ? null : known;
  if (names.size >= MAX_NAMED || stale.has(text)) return null;
  const n = (seen.get(text) ?? 0) + 1;
  if (n < REPEAT_BEFORE_NAMING) {
    if (seen.size < MAX_COUNTED) seen.set(text, n);
    return null;
  }
  seen.delete(text);
  const name = `k_${createHash('sha1').update(text).digest('hex').slice(0, 20)}`;
  names.set(text, name);
  return name;
}

/** How many statement texts have names, and how many were found stale after a schema change (tests). */
export function preparedStatementCounts(): { named: number; stale: number } {
  return { named: names.size, stale: stale.size };
}
