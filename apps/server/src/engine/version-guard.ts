import type { Ctx } from '../context.js';

/**
 * A guard for Engine: records `version` as the engine version in the shared settings when it is the
 * newest, and answers false (step aside) when a newer instance has recorded a higher one. Logs once
 * when it starts stepping aside.
 */
export function engineVersionGuard(ctx: Ctx, version: number): () => Promise<boolean> {
  let warned = false;
  return async () => {
    const db = ctx.db.kysely;
    await db.insertInto('settings').values({ key: 'engine_version', value: String(version) }).onConflict((oc) => oc.column('key').doNothing()).execute();
    const row = await db.selectFrom('settings').select('value').where('key', '=', 'engine_version').executeTakeFirstOrThrow();
    const current = Number(row.value);
    if (current > version) {
      if (!warned) ctx.log.warn({ mine: version, current }, 'a newer Klaxon runs the engine: this instance only serves HTTP until it is upgraded');
      warned = true;
      return false;
    }
    if (current < version) await db.updateTable('settings').set({ value: String(version) }).where('key', '=', 'engine_version').execute();
    warned = false;
    return true;
  };
}
