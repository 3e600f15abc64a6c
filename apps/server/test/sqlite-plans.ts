/** Query plans on SQLite, for the tests that check a query reads an index in order (test/unit/*-plan.test.ts). */
import SQLite from 'better-sqlite3';
import { Kysely, SqliteDialect, type CompiledQuery } from 'kysely';
import { expect } from 'vitest';
import type { Database } from '../src/database.js';
import { migratedDatabase } from './harness.js';

/** One step of SQLite's EXPLAIN QUERY PLAN. */
export interface PlanStep {
  id: number;
  parent: number;
  detail: string;
}

/** A statement sent, with its plan's steps and their details joined by newlines. */
export interface Planned {
  sql: string;
  steps: PlanStep[];
  text: string;
}

/**
 * Runs `queries` on a freshly migrated SQLite database (no statistics gathered, as on a new
 * installation) and returns every statement they sent, each with its query plan.
 */
export async function sqlitePlans(queries: (db: Kysely<Database>) => Promise<unknown>): Promise<Planned[]> {
  const target = await migratedDatabase('sqlite');
  const file = new SQLite(target.url);
  const seen: CompiledQuery[] = [];
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: file }), log: (e) => void seen.push(e.query) });
  try {
    await queries(db);
    return seen.map((q) => {
      const steps = file.prepare(`explain query plan ${q.sql}`).all(...(q.parameters as unknown[])) as PlanStep[];
      return { sql: q.sql, steps, text: steps.map((s) => s.detail).join('\n') };
    });
  } finally {
    await db.destroy();
    await target.drop();
  }
}

/**
 * A query made of `parts` cut parts (subqueries in FROM, run as co-routines): no part sorts its rows
 * (each reads its index in order), only the cut parts are sorted together.
 */
export function expectPartsReadInOrder(plan: Planned, parts: number): void {
  const coroutines = new Set(plan.steps.filter((s) => s.detail.startsWith('CO-ROUTINE')).map((s) => s.id));
  expect(coroutines.size).toBe(parts);
  for (const s of plan.steps.filter((x) => x.detail.includes('TEMP B-TREE'))) expect(coroutines.has(s.parent), s.detail).toBe(false);
}
