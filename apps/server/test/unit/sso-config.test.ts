import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ROLES, type Role } from '../../src/auth/actor.js';
import { grantsFor, highestRole, parseGroupMap, parseIdpMetadata, ssoFromEnv, SsoConfigError, type GroupMap } from '../../src/auth/sso-config.js';
import { configFromEnv, ConfigError } from '../../src/app/config.js';
import { must } from '../../src/lib/must.js';

const role = fc.constantFrom(...ROLES);
const teamRole = fc.constantFrom('member' as const, 'manager' as const);
const name = fc.string({ minLength: 1, maxLength: 12 });
const groupMap: fc.Arbitrary<GroupMap> = fc.dictionary(name, fc.record({ role: role, teams: fc.dictionary(name, teamRole, { maxKeys: 3 }) }, { requiredKeys: [] }), { maxKeys: 5 });

describe('KLAXON_SSO_GROUP_MAP', () => {
  it('reads back any valid map it is given as JSON', () => {
    fc.assert(
      fc.property(groupMap, (m) => {
        expect(JSON.stringify(parseGroupMap(JSON.stringify(m)))).toBe(JSON.stringify(m));
      }),
    );
  });

  it('answers any other text with a message that names the variable, never another error', () => {
    fc.assert(
      fc.property(fc.oneof(fc.string(), fc.json()), (raw) => {
        try {
          parseGroupMap(raw);
        } catch (e) {
          expect(e).toBeInstanceOf(SsoConfigError);
          expect((e as Error).message).toMatch(/^KLAXON_SSO_GROUP_MAP/);
        }
      }),
    );
    expect(() => parseGroupMap('{"admins":{"role":"root"}}')).toThrow(/role must be one of admin, responder, stakeholder, viewer/);
    expect(() => parseGroupMap('{"sre":{"teams":{"SRE":"owner"}}}')).toThrow(/team "SRE" must be "member" or "manager"/);
    expect(() => parseGroupMap('{"sre":{"team":"SRE"}}')).toThrow(/unknown key "team"/);
    expect(() => parseGroupMap('[]')).toThrow(/JSON object/);
  });

  it('grants the highest role of the matched groups and the highest team role, and only for mapped groups', () => {
    fc.assert(
      fc.property(groupMap, fc.array(name, { maxLength: 6 }), (m, groups) => {
        const g = grantsFor(m, groups);
        const matched = groups.filter((x) => Object.prototype.hasOwnProperty.call(m, x));
        expect(g.role).toBe(highestRole(matched.map((x) => must(m[x], 'm[x]').role).filter((r): r is Role => !!r)));
        for (const [team, r] of g.teams) {
          const from = matched.map((x) => must(m[x], 'm[x]').teams?.[team]).filter(Boolean);
          expect(from).toContain(r);
          expect(r).toBe(from.includes('manager') ? 'manager' : 'member');
          expect(g.mappedTeams.has(team)).toBe(true);
        }
      }),
    );
    expect(highestRole(['viewer', 'admin', 'responder'])).toBe('admin');
    expect(grantsFor({ a: { role: 'viewer' } }, ['__proto__', 'constructor']).role).toBeUndefined();
  });
});

describe('single sign-on settings', () => {
  const oidc = { KLAXON_OIDC_ISSUER: 'https://idp.example.com', KLAXON_OIDC_CLIENT_ID: 'klaxon' };

  it('reads OpenID Connect with its defaults', () => {
    expect(ssoFromEnv(oidc).oidc).toEqual({
      issuer: 'https://idp.example.com',
      clientId: 'klaxon',
      clientSecret: undefined,
      scopes: 'openid email profile',
      displayName: 'single sign-on',
      claims: { email: 'email', name: 'name', groups: 'groups' },
      autoCreate: false,
      defaultRole: 'responder',
    });
    expect(ssoFromEnv({}).oidc).toBeUndefined();
    expect(ssoFromEnv({}).passwordSignIn).toBe(true);
  });

  it('refuses what would not work, naming the variable', () => {
    expect(() => ssoFromEnv({ KLAXON_OIDC_ISSUER: 'https://idp.example.com' })).toThrow(/set KLAXON_OIDC_CLIENT_ID/);
    expect(() => ssoFromEnv({ ...oidc, KLAXON_OIDC_ISSUER: 'http://idp.example.com' })).toThrow(/KLAXON_OIDC_ISSUER must be an https: URL/);
    expect(ssoFromEnv({ ...oidc, KLAXON_OIDC_ISSUER: 'http://127.0.0.1:9000' }).oidc?.issuer).toBe('http://127.0.0.1:9000');
    expect(() => ssoFromEnv({ ...oidc, KLAXON_OIDC_SCOPES: 'email profile' })).toThrow(/must include openid/);
    expect(() => ssoFromEnv({ ...oidc, KLAXON_OIDC_DEFAULT_ROLE: 'boss' })).toThrow(/KLAXON_OIDC_DEFAULT_ROLE must be one of/);
    expect(() => ssoFromEnv({ ...oidc, KLAXON_OIDC_AUTO_CREATE: 'maybe' })).toThrow(/KLAXON_OIDC_AUTO_CREATE must be on or off/);
    expect(() => ssoFromEnv({ KLAXON_PASSWORD_SIGNIN: 'off', KLAXON_BREAK_GLASS_EMAILS: 'a@b.c' })).toThrow(/needs single sign-on configured/);
    expect(() => ssoFromEnv({ ...oidc, KLAXON_PASSWORD_SIGNIN: 'off' })).toThrow(/break-glass admin in KLAXON_BREAK_GLASS_EMAILS/);
    expect(() => ssoFromEnv({ ...oidc, KLAXON_BREAK_GLASS_EMAILS: 'not an email' })).toThrow(/comma-separated list of emails/);
    expect(ssoFromEnv({ ...oidc, KLAXON_PASSWORD_SIGNIN: 'off', KLAXON_BREAK_GLASS_EMAILS: ' Root@Example.com, ops@example.com' }).breakGlassEmails).toEqual(['root@example.com', 'ops@example.com']);
    expect(() => ssoFromEnv({ KLAXON_SCIM_TOKEN: 'short' })).toThrow(/KLAXON_SCIM_TOKEN must be at least 32 characters/);
    expect(ssoFromEnv({ KLAXON_SCIM_TOKEN: 'x'.repeat(32), KLAXON_SCIM_DEFAULT_ROLE: 'viewer' }).scim).toEqual({ token: 'x'.repeat(32), defaultRole: 'viewer' });
    expect(ssoFromEnv({}).scim).toBeUndefined();
    // The server's configuration turns them into its own ConfigError.
    expect(() => configFromEnv({ KLAXON_OIDC_CLIENT_ID: 'x' })).toThrow(ConfigError);
  });
});

const METADATA = `<md:EntityDescriptor xmlns:md="urn:oasis:names:tc:SAML:2.0:metadata" xmlns:ds="http://www.w3.org/2000/09/xmldsig#" entityID="https://idp.example.com/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="encryption"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>ENC</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:KeyDescriptor use="signing"><ds:KeyInfo><ds:X509Data><ds:X509Certificate>
      MIIB
      SIGN</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST" Location="https://idp.example.com/post"/>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect" Location="https://idp.example.com/redirect"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>`;

describe('SAML IdP metadata', () => {
  it('reads the entity ID, the HTTP-Redirect sign-on URL and only the signing certificates', () => {
    expect(parseIdpMetadata(METADATA)).toEqual({ entityId: 'https://idp.example.com/saml', ssoUrl: 'https://idp.example.com/redirect', certs: ['MIIBSIGN'] });
    const s = must(ssoFromEnv({ KLAXON_SAML_IDP_METADATA: METADATA, KLAXON_SAML_CLOCK_SKEW_SECONDS: '120' }).saml, 'ssoFromEnv().saml');
    expect(s).toMatchObject({ displayName: 'SAML single sign-on', clockSkewMs: 120_000, groupsAttribute: 'groups', autoCreate: false, defaultRole: 'responder' });
  });

  it('refuses metadata Klaxon could not use, naming the variable, and never fails otherwise', () => {
    expect(() => parseIdpMetadata(METADATA.replace(/<md:KeyDescriptor use="signing">[\s\S]*?<\/md:KeyDescriptor>/, ''))).toThrow(/no signing certificate/);
    expect(() => parseIdpMetadata(METADATA.replace('HTTP-Redirect', 'HTTP-Artifact'))).toThrow(/HTTP-Redirect/);
    expect(() => parseIdpMetadata(METADATA.replace(/IDPSSODescriptor/g, 'SPSSODescriptor'))).toThrow(/no IDPSSODescriptor/);
    expect(() => ssoFromEnv({ KLAXON_SAML_IDP_METADATA: METADATA, KLAXON_SAML_CLOCK_SKEW_SECONDS: '3600' })).toThrow(/KLAXON_SAML_CLOCK_SKEW_SECONDS must be a whole number from 0 to 300/);
    expect(() => ssoFromEnv({ KLAXON_SAML_IDP_METADATA_FILE: '/nonexistent/idp.xml' })).toThrow(/KLAXON_SAML_IDP_METADATA_FILE cannot be read/);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.string(),
          fc.constant(METADATA).chain((m) => fc.nat(m.length).map((n) => m.slice(0, n))),
        ),
        (xml) => {
          try {
            parseIdpMetadata(xml);
          } catch (e) {
            expect(e).toBeInstanceOf(SsoConfigError);
            expect((e as Error).message).toMatch(/^KLAXON_SAML_IDP_METADATA/);
          }
        },
      ),
    );
  });
});
