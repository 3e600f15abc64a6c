import type { Kysely } from 'kysely';

/**
 * Single sign-on and provisioning (issue 18):
 * - `sso_requests`: a sign-in under way at an identity provider (OIDC state, nonce and PKCE verifier;
 *   SAML AuthnRequest ID for InResponseTo). `id` is the SHA-256 of the state / request ID; each row
 *   is used once and expires after 10 minutes.
 * - `sso_seen_assertions`: SAML assertion IDs already accepted, kept until the assertion expires, so a
 *   replayed assertion is refused.
 * - `users.deactivated_at`: set when SCIM deactivates a person (active=false or DELETE); a
 *   deactivated person cannot sign in or use a token; `users.scim_deleted_at` when SCIM deleted them
 *   (kept, deactivated, for the history; SCIM answers 404 for them). `users.external_id` / `teams.external_id`: the
 *   identity provider's id (SCIM externalId).
 */
export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('sso_requests')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('return_to', 'text', (c) => c.notNull())
    .addColumn('created_at', 'bigint', (c) => c.notNull())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sso_requests_expires').on('sso_requests').column('expires_at').execute();
  await db.schema
    .createTable('sso_seen_assertions')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('expires_at', 'bigint', (c) => c.notNull())
    .execute();
  await db.schema.alterTable('users').addColumn('deactivated_at', 'bigint').execute();
  await db.schema.alterTable('users').addColumn('external_id', 'text').execute();
  await db.schema.alterTable('users').addColumn('scim_deleted_at', 'bigint').execute();
  await db.schema.alterTable('teams').addColumn('external_id', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('teams').dropColumn('external_id').execute();
  await db.schema.alterTable('users').dropColumn('scim_deleted_at').execute();
  await db.schema.alterTable('users').dropColumn('external_id').execute();
  await db.schema.alterTable('users').dropColumn('deactivated_at').execute();
  await db.schema.dropTable('sso_seen_assertions').ifExists().execute();
  await db.schema.dropTable('sso_requests').ifExists().execute();
}
