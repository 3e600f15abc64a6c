/**
 * A real OpenID provider for tests: oidc-provider (the certified Node implementation) on 127.0.0.1,
 * with its development login and consent pages, one confidential client (PKCE required), RP-initiated
 * logout, and accounts whose claims include `groups`.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

export interface IdpAccount {
  email: string;
  name: string;
  groups: string[];
  emailVerified?: boolean;
}

/** A port free right now on 127.0.0.1 (the provider's issuer URL must be known before Klaxon starts). */
export async function freePort(): Promise<number> {
  const s = createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise((r) => s.close(r));
  return port;
}

export interface TestIdp {
  issuer: string;
  clientId: string;
  clientSecret: string;
  accounts: Map<string, IdpAccount>;
  close(): Promise<void>;
}

export async function startOidcIdp(o: { port: number; klaxonUrl: string; accounts: Record<string, IdpAccount> }): Promise<TestIdp> {
  const issuer = `http://127.0.0.1:${o.port}`;
  const accounts = new Map(Object.entries(o.accounts));
  const clientId = 'klaxon';
  const clientSecret = 'klaxon-test-secret-0123456789abcdef';
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [`${o.klaxonUrl}/api/v1/auth/oidc/callback`],
        post_logout_redirect_uris: [`${o.klaxonUrl}/login`],
        token_endpoint_auth_method: 'client_secret_post',
      },
    ],
    pkce: { required: () => true },
    features: { devInteractions: { enabled: true }, rpInitiatedLogout: { enabled: true } },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['name'], groups: ['groups'] },
    findAccount: async (_ctx, sub) => {
      const a = accounts.get(sub);
      if (!a) return undefined;
      return { accountId: sub, claims: async () => ({ sub, email: a.email, email_verified: a.emailVerified ?? true, name: a.name, groups: a.groups }) };
    },
  });
  const server: Server = provider.listen(o.port, '127.0.0.1') as Server;
  await new Promise<void>((r, j) => {
    server.once('listening', () => r());
    server.once('error', j);
  });
  return {
    issuer,
    clientId,
    clientSecret,
    accounts,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
