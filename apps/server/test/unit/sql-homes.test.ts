import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';
import { must } from '../../src/lib/must.js';

// The line of docs/architecture.md (Stores) that `npm run lint` holds: queries only in stores.
const root = fileURLToPath(new URL('../../../../', import.meta.url));
const eslint = new ESLint({ cwd: root });
const query = "import type { Tx } from '../context.js';\nexport const q = (db: Tx) => db.selectFrom('incidents').selectAll().execute();\n";

async function sqlErrors(file: string, code: string): Promise<string[]> {
  const [r] = await eslint.lintText(code, { filePath: `${root}apps/server/src/${file}` });
  return must(r, 'r')
    .messages.filter((m) => m.ruleId === 'no-restricted-syntax')
    .map((m) => m.message);
}

describe('SQL lives in stores (eslint.config.js)', () => {
  it('refuses a query, a subquery and a sql template outside a store', async () => {
    expect(await sqlErrors('incident/service-new.ts', query)).toEqual([expect.stringContaining("SQL lives in the domain's store.ts")]);
    expect(await sqlErrors('http/routes/new.ts', "import { sql } from 'kysely';\nexport const one = sql`select 1`;\nexport const raw = sql.raw('x');\n")).toHaveLength(2);
    expect(await sqlErrors('engine/modules/new.ts', "export const f = (eb: any) => eb.exists(eb.selectFrom('outbox').select('id'));\n")).toHaveLength(1);
    expect(await sqlErrors('app/new.ts', "export const f = (db: any) => db.updateTable('settings').set({ value: '' }).execute();\n")).toHaveLength(1);
  });

  it('accepts queries in a store.ts, under a store/ folder and in src/store.ts', async () => {
    expect(await sqlErrors('incident/store.ts', query)).toEqual([]);
    expect(await sqlErrors('warroom/store/chat.ts', query.replace("'../context.js'", "'../../context.js'"))).toEqual([]);
    expect(await sqlErrors('store.ts', query.replace("'../context.js'", "'./context.js'"))).toEqual([]);
  });
});
