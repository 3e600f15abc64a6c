/**
 * A SAML identity provider for tests: samlify's IdentityProvider with a key and certificate made at
 * test time (selfsigned). It answers an AuthnRequest (taken from Klaxon's HTTP-Redirect URL) with a
 * SAML Response signed as Klaxon's SP metadata asks (WantAssertionsSigned), for the HTTP-POST binding.
 */
import { inflateRawSync } from 'node:zlib';
import * as samlify from 'samlify';
import { generate } from 'selfsigned';
import { must } from '../../src/lib/must.js';

// samlify checks XML it parses against the SAML schemas through a plug-in validator; this IdP parses
// only Klaxon's metadata (its own output), so the check is left out.
samlify.setSchemaValidator({ validate: async () => 'skipped' });

const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';
const EMAIL_FORMAT = 'urn:oasis:names:tc:SAML:1.1:nameid-format:emailAddress';

export interface SamlUser {
  email: string;
  name?: string;
  groups?: string[];
}

export async function keyPair(cn: string): Promise<{ key: string; cert: string }> {
  const pems = await generate([{ name: 'commonName', value: cn }], { keySize: 2048, algorithm: 'sha256' });
  return { key: pems.private, cert: pems.cert };
}

function escapeXml(s: string): string {
  return s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

export class TestSamlIdp {
  readonly entityId = 'https://idp.test.local/saml';
  private constructor(
    private readonly idp: ReturnType<typeof samlify.IdentityProvider>,
    readonly metadata: string,
  ) {}

  /** An IdP signing with `pair`; `metadataCert` is the certificate its metadata names (default: its own). */
  static async start(pair?: { key: string; cert: string }, metadataCert?: string): Promise<TestSamlIdp> {
    const p = pair ?? (await keyPair('idp.test.local'));
    const make = (cert: string) =>
      samlify.IdentityProvider({
        entityID: 'https://idp.test.local/saml',
        privateKey: p.key,
        signingCert: cert,
        nameIDFormat: [EMAIL_FORMAT],
        singleSignOnService: [{ Binding: REDIRECT, Location: 'https://idp.test.local/saml/sso' }],
      });
    const idp = make(p.cert);
    return new TestSamlIdp(idp, make(metadataCert ?? p.cert).getMetadata());
  }

  /** The ID of the AuthnRequest in a redirect URL (SAMLRequest: deflated, base64). */
  static requestId(redirectUrl: string): string {
    const xml = inflateRawSync(Buffer.from(must(new URL(redirectUrl).searchParams.get('SAMLRequest'), 'the SAMLRequest parameter'), 'base64')).toString('utf8');
    return must(/\sID="([^"]+)"/.exec(xml)?.[1], 'the ID attribute of the AuthnRequest');
  }

  /**
   * A base64 SAMLResponse for Klaxon (its SP metadata) answering `requestId`, for `user`. `spMetadata`
   * may be altered by the caller (e.g. to not ask for signed assertions); `times` moves NotBefore.
   */
  async respond(spMetadata: string, requestId: string, user: SamlUser, o: { notBeforeMs?: number; assertionId?: string; issuer?: string } = {}): Promise<string> {
    const sp = samlify.ServiceProvider({ metadata: spMetadata });
    const attrs = [...(user.name ? [['name', [user.name]] as const] : []), ...(user.groups ? [['groups', user.groups] as const] : [])];
    const statement = attrs.length
      ? `<saml:AttributeStatement>${attrs
          .map(([n, vs]) => `<saml:Attribute Name="${n}">${vs.map((v) => `<saml:AttributeValue xsi:type="xs:string">${escapeXml(v)}</saml:AttributeValue>`).join('')}</saml:Attribute>`)
          .join('')}</saml:AttributeStatement>`
      : '';
    const now = new Date();
    const later = new Date(now.getTime() + 5 * 60_000).toISOString();
    const acs = sp.entityMeta.getAssertionConsumerService(samlify.Constants.namespace.binding.post) as string;
    const { context } = await this.idp.createLoginResponse(sp, { extract: { request: { id: requestId } } }, 'post', { email: user.email }, (template: string) => {
      const id = `_${Math.random().toString(36).slice(2)}${Date.now()}`;
      const values: Record<string, string> = {
        ID: id,
        AssertionID: o.assertionId ?? `_a${Math.random().toString(36).slice(2)}${Date.now()}`,
        Destination: acs,
        Audience: sp.entityMeta.getEntityID(),
        SubjectRecipient: acs,
        Issuer: o.issuer ?? this.entityId,
        IssueInstant: now.toISOString(),
        StatusCode: 'urn:oasis:names:tc:SAML:2.0:status:Success',
        ConditionsNotBefore: new Date(now.getTime() + (o.notBeforeMs ?? 0)).toISOString(),
        ConditionsNotOnOrAfter: later,
        SubjectConfirmationDataNotOnOrAfter: later,
        NameIDFormat: EMAIL_FORMAT,
        NameID: escapeXml(user.email),
        InResponseTo: requestId,
        AuthnStatement: `<saml:AuthnStatement AuthnInstant="${now.toISOString()}" SessionIndex="${id}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:PasswordProtectedTransport</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`,
        AttributeStatement: statement,
      };
      return { id, context: template.replace(/\{(\w+)\}/g, (m, k: string) => values[k] ?? m) };
    });
    return context;
  }
}
