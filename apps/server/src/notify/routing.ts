/**
 * SMS and voice routing by the destination's country calling code. A route names the providers to
 * try, in order, for one calling code (`+44`: the United Kingdom; `+1`: the North American Numbering
 * Plan); a destination without a route uses the default order. A route's list is complete: a
 * provider it leaves out is not used for that calling code.
 */
import { getCountries, getCountryCallingCode, parsePhoneNumberFromString } from 'libphonenumber-js';

/** One route: a calling code (`+44`) and its providers, first tried first. */
export interface SmsRoute {
  prefix: string;
  providers: string[];
}

let codes: Set<string> | null = null;
/** Every country calling code libphonenumber-js knows ("1", "44", "353"...). */
function callingCodes(): Set<string> {
  return (codes ??= new Set(getCountries().map((c) => String(getCountryCallingCode(c)))));
}

/** The country calling code of an E.164 number (`+447700900123` -> `44`), or null when it is not one. */
export function callingCode(e164: string): string | null {
  const p = parsePhoneNumberFromString(e164);
  return p?.countryCallingCode ? String(p.countryCallingCode) : null;
}

/**
 * Parses routes from JSON (`[{"prefix":"+44","providers":["vonage","twilio"]}]`), checking every
 * prefix is a calling code and every provider is one of `known`. Throws an Error that says what is wrong.
 */
export function parseSmsRoutes(text: string, known: readonly string[]): SmsRoute[] {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new Error('must be JSON: [{"prefix": "+44", "providers": ["vonage", "twilio"]}, ...]');
  }
  return checkSmsRoutes(raw, known);
}

/** Checks parsed routes (see {@link parseSmsRoutes}). */
export function checkSmsRoutes(raw: unknown, known: readonly string[]): SmsRoute[] {
  if (!Array.isArray(raw)) throw new Error('must be a list of routes: [{"prefix": "+44", "providers": ["vonage", "twilio"]}, ...]');
  const seen = new Set<string>();
  return raw.map((r: unknown, i) => {
    const at = `route ${i + 1}`;
    if (!r || typeof r !== 'object' || Array.isArray(r)) throw new Error(`${at}: must be an object with prefix and providers`);
    const { prefix, providers } = r as { prefix?: unknown; providers?: unknown };
    if (typeof prefix !== 'string' || !/^\+\d{1,3}$/.test(prefix) || !callingCodes().has(prefix.slice(1))) {
      throw new Error(`${at}: prefix must be a country calling code such as "+44" or "+1" (got ${JSON.stringify(prefix)})`);
    }
    if (seen.has(prefix)) throw new Error(`${at}: ${prefix} is routed twice`);
    seen.add(prefix);
    if (!Array.isArray(providers) || !providers.length || !providers.every((p): p is string => typeof p === 'string')) {
      throw new Error(`${at}: providers must be a non-empty list of provider names`);
    }
    const unknown = providers.filter((p) => !known.includes(p));
    if (unknown.length) throw new Error(`${at}: ${unknown.join(', ')} ${unknown.length === 1 ? 'is' : 'are'} not a configured provider (configured: ${known.join(', ') || 'none'})`);
    if (new Set(providers).size !== providers.length) throw new Error(`${at}: a provider is listed twice`);
    return { prefix, providers: [...providers] };
  });
}

/** The providers to try for `destination`, first tried first: its route's list, or `defaultOrder`. */
export function providerOrder(destination: string, routes: readonly SmsRoute[], defaultOrder: readonly string[]): string[] {
  const cc = callingCode(destination);
  const route = cc ? routes.find((r) => r.prefix === `+${cc}`) : undefined;
  return [...(route?.providers ?? defaultOrder)];
}
