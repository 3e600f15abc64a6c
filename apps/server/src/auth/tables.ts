/** API tokens, stored as SHA-256 of the secret (shown once at creation). */
export interface ApiTokenTable {
  id: string;
  user_id: string;
  name: string;
  token_hash: string;
  created_at: number;
  last_used_at: number | null;
  revoked_at: number | null;
  /** 1: refused on every write (0029). */
  read_only?: number;
  /** Limited to this team's objects (0029). */
  team_id?: string | null;
  /** Refused from this time on (0029). */
  expires_at?: number | null;
}

/** One-time links to set a password (invitation or reset); `id` is the SHA-256 of the link's secret. */
export interface PasswordLinkTable {
  id: string;
  user_id: string;
  purpose: string;
  created_at: number;
  expires_at: number;
  used_at: number | null;
}

/** The sessions table: one row per signed-in browser. `id` is the SHA-256 of the cookie's secret. */
export interface SessionTable {
  id: string;
  user_id: string;
  csrf_token: string;
  created_at: number;
  expires_at: number;
  last_seen_at: number;
}

/** A sign-in under way at an identity provider (migration 0028); `id` is the SHA-256 of the OIDC state or SAML request ID. */
export interface SsoRequestTable {
  id: string;
  kind: string;
  nonce: string;
  code_verifier: string;
  return_to: string;
  created_at: number;
  expires_at: number;
}

/** SAML assertion IDs already accepted, kept until they expire: a replay is refused. */
export interface SsoSeenAssertionTable {
  id: string;
  expires_at: number;
}
