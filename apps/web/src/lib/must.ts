/**
 * `must(value, what)`: the value, known to be there (a row just inserted, a key just checked, the
 * first of a list known not to be empty), or an Error naming `what` when it is not. Used instead of
 * TypeScript's non-null assertion `!`, which would let an `undefined` travel on and fail later, far
 * from the cause (the lint rule @typescript-eslint/no-non-null-assertion is on).
 */
export function must<T>(value: T | null | undefined, what = 'value'): T {
  if (value === null || value === undefined) throw new Error(`expected ${what}, found ${value === null ? 'null' : 'undefined'}`);
  return value;
}
