/**
 * How answers are written: with JSON.stringify, as Fastify does for a route with no response schema.
 * Response schemas document the answers (/api/v1/openapi.json) and type the handlers; they do not
 * filter them (fast-json-stringify, Fastify's default, silently drops what a schema does not name).
 *
 * With `check` on (tests: KLAXON_TEST_CHECK_RESPONSES=1, set in apps/server/vitest.config.ts), every
 * answer is validated against its schema first, with every object closed unless the schema says
 * `additionalProperties` itself: a field the schema does not name, a missing one or a wrong type fails
 * the request with a 500 naming the route and the field, so the whole suite keeps the contract honest.
 */
import { Ajv, type AnySchema, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySerializerCompiler } from 'fastify';

/** A copy of a schema whose objects with `properties` and no `additionalProperties` of their own are closed. */
export function closed(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(closed);
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema))
    out[k] = k === 'properties' || k === 'patternProperties' || k === '$defs' ? Object.fromEntries(Object.entries(v as object).map(([p, s]) => [p, closed(s)])) : closed(v);
  if ('properties' in out && !('additionalProperties' in out) && !('unevaluatedProperties' in out)) out.additionalProperties = false;
  return out;
}

/**
 * The checking validators, shared by every app in the process and compiled on an answer's first use:
 * a test file starts several servers with some 300 routes each and answers on few of them, and
 * compiling every response schema up front cost about a second of CPU per server.
 */
let checker: { ajv: Ajv; compiled: Map<string, ValidateFunction> } | undefined;

function checkerFor(schema: unknown): ValidateFunction {
  if (!checker) {
    const ajv = new Ajv({ strict: false, allErrors: true });
    addFormats.default(ajv);
    checker = { ajv, compiled: new Map() };
  }
  const key = JSON.stringify(schema);
  let validate = checker.compiled.get(key);
  if (!validate) {
    validate = checker.ajv.compile(closed(schema) as AnySchema);
    checker.compiled.set(key, validate);
  }
  return validate;
}

/** The serializer compiler for an app: `app.setSerializerCompiler(responseSerializer(check))`. */
export function responseSerializer(check: boolean): FastifySerializerCompiler<AnySchema> {
  const write = (data: unknown) => JSON.stringify(data);
  if (!check) return () => write;
  return ({ schema, method, url, httpStatus }) => {
    let validate: ValidateFunction | undefined;
    return (data) => {
      validate ??= checkerFor(schema);
      const json = write(data);
      // Validate what the client receives (Dates as strings, undefined fields gone).
      if (!validate(json === undefined ? null : JSON.parse(json))) throw new Error(`The ${httpStatus} answer of ${method} ${url} does not match its response schema: ${errorsText(validate)}`);
      return json;
    };
  };
}

function errorsText(validate: ValidateFunction): string {
  return checker ? checker.ajv.errorsText(validate.errors) : 'invalid';
}
