import { Type, type Static, type TLiteral, type TSchema, type TUnion } from '@sinclair/typebox';

/** A union of string literals from a closed list (a `const` array of values.ts), typed as that union. */
type LiteralTuple<T extends readonly string[]> = { -readonly [K in keyof T]: TLiteral<T[K]> };
export function Literals<const T extends readonly string[]>(values: T, options: { description?: string } = {}): TUnion<Extract<LiteralTuple<T>, TSchema[]>> {
  return Type.Union(
    values.map((v) => Type.Literal(v)),
    options,
  ) as unknown as TUnion<Extract<LiteralTuple<T>, TSchema[]>>;
}

/** `T | null`. */
export const Nullable = <T extends TSchema>(t: T) => Type.Union([t, Type.Null()]);

/** An instant as the API sends it: epoch milliseconds. */
export const EpochMs = Type.Number({ description: 'Epoch milliseconds' });

/** `/:id` of most routes: an id (or, where the route says so, a name or email). */
export const IdParams = Type.Object({ id: Type.String({ minLength: 1, maxLength: 200 }) });
export type IdParams = Static<typeof IdParams>;

/** A field problem in the error body's details. */
export const FieldError = Type.Object({ path: Type.String(), message: Type.String() });
export type FieldError = Static<typeof FieldError>;

/** Every /api/v1 error: `{ error: { code, message, details? } }`. */
export const ErrorBody = Type.Object(
  {
    error: Type.Object(
      {
        code: Type.String({ description: 'invalid, unauthenticated, forbidden, not_found, conflict, payload_too_large, rate_limited, unavailable or internal' }),
        message: Type.String(),
        details: Type.Optional(Type.Unknown({ description: 'Field problems ({path, message}[]) for invalid input; other facts for other codes' })),
      },
      { additionalProperties: false },
    ),
  },
  { additionalProperties: false },
);
export type ErrorBody = Static<typeof ErrorBody>;

/** The answer of a route that answers with no body (204). */
export const NoContent = Type.Unsafe<undefined>({ type: 'null', description: 'No content' });

/** `{ message }`: a 202 acknowledgement in words. */
export const MessageAnswer = Type.Object({ message: Type.String() });
export type MessageAnswer = Static<typeof MessageAnswer>;

/** `{ ok: true }`. */
export const OkAnswer = Type.Object({ ok: Type.Boolean() });
