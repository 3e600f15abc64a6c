/** Phone numbers of hotlines and their callers: E.164 normalisation, allow-lists, masking (pure). */

const E164 = /^\+[1-9]\d{6,14}$/;

/**
 * A number written by a person as E.164: `+` then 7 to 15 digits, the first not 0. Spaces, dots,
 * dashes and brackets between digits are ignored ("+44 (20) 7946-0000" is "+442079460000").
 * Null for anything else (no +, letters, too short or long).
 */
export function normalizePhone(text: string): string | null {
  const s = text.trim().replace(/[\s.()-]/g, '');
  return E164.test(s) ? s : null;
}

/** An allow-list as written: each entry normalised, repeats dropped (first kept); the entries that are not numbers, by index. */
export function parseAllowList(entries: readonly string[]): { numbers: string[]; problems: { index: number; message: string }[] } {
  const numbers: string[] = [];
  const problems: { index: number; message: string }[] = [];
  entries.forEach((e, index) => {
    const n = normalizePhone(e);
    if (n === null) problems.push({ index, message: `"${e.slice(0, 40)}" is not a phone number in E.164 form (+ then country code and number, e.g. +442079460000)` });
    else if (!numbers.includes(n)) numbers.push(n);
  });
  return { numbers, problems };
}

/** Whether a caller may open an incident: an empty list lets anyone; else the caller's number, normalised, must be on it. */
export function callerAllowed(allowList: readonly string[], from: string): boolean {
  if (allowList.length === 0) return true;
  const n = normalizePhone(from);
  return n !== null && allowList.includes(n);
}

/**
 * A caller's number as the timeline shows it: the first two digits and the last three, the rest
 * as dots ("+44•••••••000"), so responders can tell callers apart without the whole number on every
 * incident. A withheld or odd caller id ("anonymous", fewer than 7 digits) reads "a withheld number".
 */
export function maskNumber(from: string): string {
  const n = normalizePhone(from);
  if (n === null) return 'a withheld number';
  const digits = n.slice(1);
  return `+${digits.slice(0, 2)}${'•'.repeat(digits.length - 5)}${digits.slice(-3)}`;
}
