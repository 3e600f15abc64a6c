import { Type, type Static } from '@sinclair/typebox';

function SsoButton() {
  return Type.Object({ name: Type.String({ description: 'For the button: "Sign in with <name>"' }), startUrl: Type.String({ description: 'Where the browser goes to start' }) });
}

/** GET /auth/providers: how people can sign in, for the sign-in screen. */
export const SignInProviders = Type.Object({
  password: Type.Boolean({ description: 'The email + password form is open to everyone (false when KLAXON_PASSWORD_SIGNIN=off: only break-glass accounts may use it)' }),
  oidc: Type.Union([SsoButton(), Type.Null()], { description: 'OpenID Connect, when configured' }),
  saml: Type.Union([SsoButton(), Type.Null()], { description: 'SAML 2.0, when configured' }),
});
export type SignInProviders = Static<typeof SignInProviders>;

/** GET /auth/oidc/start: where to land after signing in. */
export const SsoStartQuery = Type.Object(
  { returnTo: Type.Optional(Type.String({ maxLength: 2000, pattern: '^/(?![/\\\\])', description: 'A path of the web app (starting with one /), default /' })) },
  { additionalProperties: false },
);
export type SsoStartQuery = Static<typeof SsoStartQuery>;

/** POST /auth/sso/logout: the session ended; where the browser goes next to sign out at the identity provider too (null: nowhere). */
export const SsoLogoutAnswer = Type.Object({ redirectUrl: Type.Union([Type.String(), Type.Null()]) });
export type SsoLogoutAnswer = Static<typeof SsoLogoutAnswer>;

/** The SCIM bearer token an admin created from the API (never the token itself: it is stored hashed). */
export const StoredScimToken = Type.Object({
  createdAt: Type.Number({ description: 'Epoch milliseconds' }),
  createdBy: Type.Union([Type.String(), Type.Null()], { description: 'The id of the user who created it' }),
  hint: Type.String({ description: 'Its last four characters, to tell it apart' }),
});
export type StoredScimToken = Static<typeof StoredScimToken>;

/** GET /scim-token: how identity providers may authenticate to /scim/v2. */
export const ScimTokenState = Type.Object({
  stored: Type.Union([StoredScimToken, Type.Null()], { description: 'The token created from the API, or null' }),
  environment: Type.Boolean({ description: 'KLAXON_SCIM_TOKEN is set; it keeps working whatever is stored' }),
});
export type ScimTokenState = Static<typeof ScimTokenState>;

export const ScimTokenAnswer = Type.Object({ scimToken: ScimTokenState });
export const NewScimTokenAnswer = Type.Object({ token: Type.String({ description: 'The secret, shown once' }), scimToken: ScimTokenState });
