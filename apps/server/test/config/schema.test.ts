/**
 * docs/klaxon.schema.json is generated from src/config/schema.ts and committed; this test fails when
 * they drift. Regenerate with: UPDATE_SCHEMA=1 npx vitest run test/config/schema.test.ts
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv } from 'ajv';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { configJsonSchema, SCHEMA_DOC_PATH } from '../../src/config/schema.js';
import { EXAMPLE_TEXT, REPO_ROOT } from './helpers.js';

const file = join(REPO_ROOT, SCHEMA_DOC_PATH);
const generated = `${JSON.stringify(configJsonSchema(), null, 2)}\n`;

describe('the published JSON Schema', () => {
  it('docs/klaxon.schema.json matches src/config/schema.ts', () => {
    if (process.env.UPDATE_SCHEMA) writeFileSync(file, generated);
    const committed = readFileSync(file, 'utf8');
    expect(committed, `${SCHEMA_DOC_PATH} is out of date: run UPDATE_SCHEMA=1 npx vitest run test/config/schema.test.ts in apps/server`).toBe(generated);
  });

  it('is a valid draft-07 schema that accepts the example and rejects a typo', () => {
    const schema = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
    expect(schema.$schema).toBe('http://json-schema.org/draft-07/schema#');
    const validate = new Ajv({ strict: true, strictTypes: false, allErrors: true }).compile(schema);
    expect(validate(parse(EXAMPLE_TEXT)), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({ version: 1, users: [{ email: 'a@example.com', name: 'A', timezone: 'UTC' }] })).toBe(false);
  });

  it('describes every top-level section and entity field for editor hover and completion', () => {
    const schema = configJsonSchema() as { properties: Record<string, { description?: string; items?: { properties: Record<string, { description?: string }> } }> };
    for (const [name, section] of Object.entries(schema.properties)) {
      expect(section.description, name).toBeTruthy();
      for (const [field, def] of Object.entries(section.items?.properties ?? {})) {
        if (field !== 'description') expect(def.description, `${name}.${field}`).toBeTruthy();
      }
    }
  });

  it('the example file names the schema for yaml-language-server', () => {
    expect(EXAMPLE_TEXT.split('\n')[0]).toBe('# yaml-language-server: $schema=../docs/klaxon.schema.json');
  });
});
