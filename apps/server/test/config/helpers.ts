/** Shared set-up for the config-as-code tests: fresh databases on each available dialect, the example file. */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseDocument } from 'yaml';
import { configFromEnv, type KlaxonConfig } from '../../src/app/config.js';
import { localContext } from '../../src/app/klaxon.js';
import type { Ctx } from '../../src/context.js';
import { createLogger } from '../../src/lib/logger.js';
import { must } from '../../src/lib/must.js';
import { adminQuery, dropDatabases } from '../pg-admin.js';

/** The repository root. */
export const REPO_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../../../..');
/** examples/klaxon.yaml, as text. */
export const EXAMPLE_TEXT = readFileSync(join(REPO_ROOT, 'examples/klaxon.yaml'), 'utf8');

/** The dialects to run on: SQLite always, PostgreSQL when KLAXON_TEST_DATABASE_URL is set. */
export const DIALECTS: ('sqlite' | 'postgres')[] = ['sqlite', ...(process.env.KLAXON_TEST_DATABASE_URL ? (['postgres'] as const) : [])];

/** A context on a fresh, migrated database. */
export interface TestDb {
  ctx: Ctx;
  /** What to put in KLAXON_DATABASE_URL to reach the same database. */
  url: string;
  close(): Promise<void>;
}

function configFor(databaseUrl: string): KlaxonConfig {
  return { ...configFromEnv({}), databaseUrl } as KlaxonConfig;
}

/** The tests' PostgreSQL server (its admin URL). */
function adminUrl(): string {
  return must(process.env.KLAXON_TEST_DATABASE_URL, 'process.env.KLAXON_TEST_DATABASE_URL');
}

function pgUrl(database: string): string {
  const u = new URL(adminUrl());
  u.pathname = `/${database}`;
  return u.toString();
}

/**
 * Fresh databases for one test file. PostgreSQL: a migrated template database is made once, and each
 * test gets a copy (`CREATE DATABASE … TEMPLATE`); `cleanup` drops them all. SQLite: a new file each.
 */
export function testDatabases() {
  const prefix = `klaxon_t_${process.pid}_${Math.random().toString(36).slice(2, 8)}`;
  const pgDatabases: string[] = [];
  const dirs: string[] = [];
  const open: TestDb[] = [];
  let template: Promise<string> | undefined;
  let n = 0;
  const log = createLogger('silent');

  async function fresh(dialect: 'sqlite' | 'postgres'): Promise<TestDb> {
    let url: string;
    if (dialect === 'sqlite') {
      const dir = mkdtempSync(join(tmpdir(), 'klaxon-config-'));
      dirs.push(dir);
      url = join(dir, 'klaxon.db');
    } else {
      template ??= (async () => {
        const name = `${prefix}_tpl`;
        await adminQuery(adminUrl(), `CREATE DATABASE ${name}`);
        pgDatabases.push(name);
        const l = await localContext(configFor(pgUrl(name)), log);
        await l.close();
        return name;
      })();
      const tpl = await template;
      const name = `${prefix}_${n++}`;
      await adminQuery(adminUrl(), `CREATE DATABASE ${name} TEMPLATE ${tpl}`);
      pgDatabases.unshift(name);
      url = pgUrl(name);
    }
    const l = await localContext(configFor(url), log);
    let closed = false;
    const db: TestDb = {
      ctx: l.ctx,
      url,
      close: async () => {
        if (closed) return;
        closed = true;
        await l.close();
      },
    };
    open.push(db);
    return db;
  }

  async function cleanup(): Promise<void> {
    for (const db of open) await db.close();
    if (pgDatabases.length) await dropDatabases(adminUrl(), pgDatabases);
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  }

  return { fresh, cleanup };
}

/** The example file with edits made through the YAML document model (so comments and layout stay). */
export function editExample(edit: (doc: ReturnType<typeof parseDocument>) => void, text = EXAMPLE_TEXT): string {
  const doc = parseDocument(text);
  edit(doc);
  return doc.toString();
}

/** The 1-based line and column where `needle` starts in `text`. */
export function lineColOf(text: string, needle: string): string {
  const at = text.indexOf(needle);
  if (at < 0) throw new Error(`"${needle}" is not in the text`);
  const before = text.slice(0, at).split('\n');
  return `${before.length}:${must(before[before.length - 1], 'before[before.length - 1]').length + 1}`;
}
