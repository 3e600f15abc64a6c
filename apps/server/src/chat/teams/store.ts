/** SQL of the Teams bot's conversation references (teams_references, migration 0030). */
import type { Tx } from '../../context.js';

/** What the bot knows of a tenant, a person or a channel. */
export interface TeamsRef {
  kind: 'tenant' | 'user' | 'channel';
  ref: string;
  tenantId: string;
  serviceUrl: string;
  memberId?: string | null;
  conversationId?: string | null;
}

type Row = { kind: string; ref: string; tenant_id: string; service_url: string; member_id: string | null; conversation_id: string | null };
const fromRow = (r: Row): TeamsRef => ({
  kind: r.kind as TeamsRef['kind'],
  ref: r.ref,
  tenantId: r.tenant_id,
  serviceUrl: r.service_url,
  memberId: r.member_id,
  conversationId: r.conversation_id,
});

/** Records references (the newest service URL and tenant win; a known 1:1 chat stays unless the tenant changed). */
export async function rememberTeamsRefs(db: Tx, refs: readonly TeamsRef[], now: number): Promise<void> {
  for (const r of refs) {
    const old = await db.selectFrom('teams_references').select(['tenant_id', 'service_url', 'member_id', 'conversation_id']).where('kind', '=', r.kind).where('ref', '=', r.ref).executeTakeFirst();
    if (!old) {
      await db
        .insertInto('teams_references')
        .values({ kind: r.kind, ref: r.ref, tenant_id: r.tenantId, service_url: r.serviceUrl, member_id: r.memberId ?? null, conversation_id: r.conversationId ?? null, updated_at: now })
        .onConflict((oc) => oc.columns(['kind', 'ref']).doNothing())
        .execute();
      continue;
    }
    const memberId = r.memberId ?? old.member_id;
    const conversationId = old.tenant_id === r.tenantId && memberId === old.member_id ? (r.conversationId ?? old.conversation_id) : (r.conversationId ?? null);
    if (old.tenant_id === r.tenantId && old.service_url === r.serviceUrl && old.member_id === memberId && old.conversation_id === conversationId) continue;
    await db
      .updateTable('teams_references')
      .set({ tenant_id: r.tenantId, service_url: r.serviceUrl, member_id: memberId, conversation_id: conversationId, updated_at: now })
      .where('kind', '=', r.kind)
      .where('ref', '=', r.ref)
      .execute();
  }
}

/** One reference. */
export async function teamsRef(db: Tx, kind: TeamsRef['kind'], ref: string): Promise<TeamsRef | undefined> {
  const r = await db
    .selectFrom('teams_references')
    .select(['kind', 'ref', 'tenant_id', 'service_url', 'member_id', 'conversation_id'])
    .where('kind', '=', kind)
    .where('ref', '=', ref)
    .executeTakeFirst();
  return r ? fromRow(r) : undefined;
}

/** The tenants the bot has heard from (at most 2: enough to tell whether there is only one). */
export async function teamsTenants(db: Tx): Promise<TeamsRef[]> {
  const rows = await db
    .selectFrom('teams_references')
    .select(['kind', 'ref', 'tenant_id', 'service_url', 'member_id', 'conversation_id'])
    .where('kind', '=', 'tenant')
    .orderBy('ref')
    .limit(2)
    .execute();
  return rows.map(fromRow);
}

/** Keeps the 1:1 chat created with a person. */
export async function setTeamsConversation(db: Tx, ref: string, conversationId: string, now: number): Promise<void> {
  await db.updateTable('teams_references').set({ conversation_id: conversationId, updated_at: now }).where('kind', '=', 'user').where('ref', '=', ref).execute();
}

/** The client's reference store over a database (chat/teams/client.ts TeamsRefStore). */
export function teamsRefStore(db: Tx, now: () => number) {
  return {
    remember: (refs: readonly TeamsRef[]) => rememberTeamsRefs(db, refs, now()),
    get: (kind: TeamsRef['kind'], ref: string) => teamsRef(db, kind, ref),
    tenants: () => teamsTenants(db),
    setConversation: (ref: string, conversationId: string) => setTeamsConversation(db, ref, conversationId, now()),
  };
}
