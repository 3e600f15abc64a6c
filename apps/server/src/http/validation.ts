/**
 * One validator configuration for every route. Query strings, path parameters and headers are text,
 * so their values are coerced to the schema's types (`?limit=5` is the number 5). Bodies are JSON,
 * which has numbers, booleans and null of its own, so they are not coerced: a client that sends
 * `"5"` for a number gets a 400 saying the field must be a number, where coercion used to turn
 * `null` into `0` or `""` into `false` without a word.
 */
import { Ajv, type AnySchema, type Options, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifySchemaCompiler } from 'fastify';

const OPTIONS: Options = { removeAdditional: false, useDefaults: true, allErrors: true, addUsedSchema: false };

/**
 * The validators, shared by every app in the process: the same schema is compiled once however many
 * apps register it (a test file starts several servers; each compile of ~300 routes cost about half
 * a second of CPU). A schema that does not compile still fails the app's start-up.
 */
let shared: { text: Ajv; json: Ajv; compiled: Map<string, ValidateFunction> } | undefined;

/** The validator compiler for an app: `app.setValidatorCompiler(requestValidator())`. */
export function requestValidator(): FastifySchemaCompiler<AnySchema> {
  if (!shared) {
    const text = new Ajv({ ...OPTIONS, coerceTypes: 'array' });
    const json = new Ajv({ ...OPTIONS, coerceTypes: false });
    addFormats.default(text);
    addFormats.default(json);
    shared = { text, json, compiled: new Map() };
  }
  const { text, json, compiled } = shared;
  return ({ schema, httpPart }) => {
    const body = httpPart === 'body';
    const ajv = body ? json : text;
    const key = `${body ? 'json' : 'text'} ${JSON.stringify(schema)}`;
    const known = compiled.get(key);
    if (known) return known;
    // Ajv refuses to compile two schemas with one $id: reuse the first.
    const id = typeof schema === 'object' && schema !== null && '$id' in schema ? schema.$id : undefined;
    const validate = (typeof id === 'string' ? (ajv.getSchema(id) as ValidateFunction | undefined) : undefined) ?? ajv.compile(schema);
    compiled.set(key, validate);
    return validate;
  };
}
