import type { Tx } from '../context.js';
import { newId } from '../lib/ids.js';

/** A stored import or comparison, as the admin API returns it. */
export type { MigrationRun } from '@klaxon/contract';
import type { MigrationRun } from '@klaxon/contract';

/** Keeps an applied import's report or a comparison's result. The last 50 of each kind are kept. */
export async function recordRun(db: Tx, run: Omit<MigrationRun, 'id'>): Promise<string> {
  const id = newId();
  await db
    .insertInto('migration_runs')
    .values({ id, kind: run.kind, source: run.source, source_url: run.sourceUrl, created_at: run.createdAt, differences: run.differences, summary: JSON.stringify(run.summary), report: run.report })
    .execute();
  const old = await db.selectFrom('migration_runs').select('id').where('kind', '=', run.kind).orderBy('created_at', 'desc').orderBy('id', 'desc').offset(50).limit(1000).execute();
  if (old.length)
    await db
      .deleteFrom('migration_runs')
      .where(
        'id',
        'in',
        old.map((o) => o.id),
      )
      .execute();
  return id;
}

/** The newest run of a kind, if any. */
export async function lastRun(db: Tx, kind: MigrationRun['kind']): Promise<MigrationRun | undefined> {
  const r = await db.selectFrom('migration_runs').selectAll().where('kind', '=', kind).orderBy('created_at', 'desc').orderBy('id', 'desc').limit(1).executeTakeFirst();
  if (!r) return undefined;
  return {
    id: r.id,
    kind: r.kind as MigrationRun['kind'],
    source: r.source,
    sourceUrl: r.source_url,
    createdAt: Number(r.created_at),
    differences: Number(r.differences),
    summary: JSON.parse(r.summary) as unknown,
    report: r.report,
  };
}
