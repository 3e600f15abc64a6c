/**
 * Once per run: says whether the PostgreSQL suites run, and migrates one template database per
 * dialect, which every test server's fresh database is copied from (a file copy for SQLite,
 * `CREATE DATABASE ... TEMPLATE` for PostgreSQL) instead of running every migration again (about
 * a second per server on SQLite and two on PostgreSQL on a loaded 2-core machine, for ~500 servers
 * a run). The copies are what `migrateToLatest` would have made: Klaxon still runs it at start-up
 * and finds nothing to do. The template's location reaches the test processes through the
 * environment (workers are forked after this runs, so they inherit it); test/harness.ts reads it.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../src/app/klaxon.js';
import { adminQuery, dropDatabases } from './pg-admin.js';

export const SQLITE_TEMPLATE_ENV = 'KLAXON_TEST_SQLITE_TEMPLATE';
export const PG_TEMPLATE_ENV = 'KLAXON_TEST_PG_TEMPLATE';

export default async function setup(): Promise<() => Promise<void>> {
  const admin = process.env.KLAXON_TEST_DATABASE_URL;
  if (admin) {
    console.log(`PostgreSQL suites: running against ${admin.replace(/:[^:@/]*@/, ':***@')}`);
  } else {
    console.log('PostgreSQL suites: SKIPPED (set KLAXON_TEST_DATABASE_URL=postgres://... to run them; .ci/run does)');
  }

  const dir = mkdtempSync(join(tmpdir(), 'klaxon-template-'));
  const file = join(dir, 'klaxon.db');
  const sqlite = await openDatabase(file);
  await sqlite.close();
  process.env[SQLITE_TEMPLATE_ENV] = file;

  let pgName: string | undefined;
  if (admin) {
    pgName = `klaxon_tpl_${process.pid}_${Date.now().toString(36)}`;
    await adminQuery(admin, `CREATE DATABASE ${pgName}`);
    const u = new URL(admin);
    u.pathname = `/${pgName}`;
    const db = await openDatabase(u.toString());
    await db.close();
    process.env[PG_TEMPLATE_ENV] = pgName;
  }

  return async () => {
    rmSync(dir, { recursive: true, force: true });
    if (admin && pgName) await dropDatabases(admin, [pgName]);
  };
}
