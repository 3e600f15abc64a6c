import type { Ctx } from '../context.js';
import { getSettingOrThrow, insertSettingIfAbsent, updateSetting } from '../store.js';

/**
 * A guard for Engine: records `version` as the engine version in the shared settings when it is the
 * newest, and answers false (step aside) when a newer instance has recorded a higher one. Logs once
 * when it starts stepping aside.
 */
export function engineVersionGuard(ctx: Ctx, version: number): () => Promise<boolean> {
  let warned = false;
  // The row is written once per process (it is never deleted), not before every cycle: a statement
  // (a round trip on PostgreSQL) saved on every wake.
  let seeded = false;
  return async () => {
    const db = ctx.db.kysely;
    if (!seeded) {
      await insertSettingIfAbsent(db, 'engine_version', String(version));
      seeded = true;
    }
    const current = Number(await getSettingOrThrow(db, 'engine_version'));
    if (current > version) {
      if (!warned) ctx.log.warn({ mine: version, current }, 'a newer Klaxon runs the engine: this instance only serves HTTP until it is upgraded');
      warned = true;
      return false;
    }
    if (current < version) await updateSetting(db, 'engine_version', String(version));
    warned = false;
    return true;
  };
}
