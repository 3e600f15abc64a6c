import type { Static, TSchema } from '@sinclair/typebox';
import { TypeCompiler, type TypeCheck } from '@sinclair/typebox/compiler';
import { invalid, type FieldError } from './errors.js';

const cache = new WeakMap<TSchema, TypeCheck<TSchema>>();

/** Field errors of `value` against a TypeBox schema, with dotted paths. */
export function schemaErrors(schema: TSchema, value: unknown): FieldError[] {
  let check = cache.get(schema);
  if (!check) {
    check = TypeCompiler.Compile(schema);
    cache.set(schema, check);
  }
  if (check.Check(value)) return [];
  const out: FieldError[] = [];
  for (const e of check.Errors(value)) {
    const path = e.path.replace(/^\//, '').replace(/\//g, '.') || '(root)';
    if (!out.some((o) => o.path === path)) out.push({ path, message: e.message });
    if (out.length >= 20) break;
  }
  return out;
}

/** Returns `value` typed by the schema, or throws an `invalid` AppError listing every field problem. */
export function parse<T extends TSchema>(schema: T, value: unknown, what = 'input'): Static<T> {
  const errors = schemaErrors(schema, value);
  if (errors.length) {
    throw invalid(`Invalid ${what}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors);
  }
  return value as Static<T>;
}
