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
