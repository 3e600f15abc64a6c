// ESLint 9 flat config for the whole repository (`npm run lint`, part of `npm test`): ESLint's and
// typescript-eslint's recommended and strict rules, and the import rules that hold the lines of
// docs/architecture.md. Import cycles are checked by dependency-cruiser (.dependency-cruiser.cjs),
// which, unlike import-x/no-cycle, counts type-only imports.
import js from '@eslint/js';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import reactHooks from 'eslint-plugin-react-hooks';
import globals from 'globals';
import tseslint from 'typescript-eslint';

const server = 'apps/server/src';
/** The domains: they hold the rules of the business and are used by http/, app/, cli/ and config/, never the other way. */
const DOMAINS = ['alert', 'auth', 'chat', 'engine', 'escalation', 'incident', 'ingest', 'notify', 'postmortem', 'report', 'schedule', 'service', 'status', 'team', 'user', 'warroom'];

/**
 * Where SQL is written: each domain's `store.ts` (or files under a `store/` folder), `src/store.ts`
 * for the tables no domain owns (settings, counters, audit_log), the database layer (`lib/db/`) and
 * the savepoints of `context.ts`. Everything else (services, routes, app/, the engine, config/,
 * cli/) calls store or service functions (docs/architecture.md, Stores).
 */
const SQL_HOMES = [`${server}/**/store.ts`, `${server}/**/store/**`, `${server}/lib/db/**`, `${server}/context.ts`, `${server}/**/*.test.ts`];
const SQL_MESSAGE = "SQL lives in the domain's store.ts (or store/): call a store or service function (docs/architecture.md, Stores)";

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/dist/**', 'apps/web/.dist-*/**', 'apps/server/.build*/**', 'bench/results/**', 'data/**'] },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    rules: {
      // A leading underscore marks a value kept on purpose (a destructured-away field, an unused parameter).
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  {
    // Migrations take `Kysely<any>`, as Kysely's migration docs say: a migration must keep working
    // when today's table types change. Tests read JSON answers whose shape each test asserts.
    files: ['apps/server/migrations/**', 'apps/server/test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: { globals: globals.node },
  },
  {
    // Scripts the browser loads as they are (apps/web/public is copied into the build unchanged).
    files: ['apps/web/public/**/*.js'],
    languageOptions: { globals: globals.browser, sourceType: 'script' },
  },
  {
    files: ['apps/web/src/**/*.{ts,tsx}'],
    plugins: { 'react-hooks': reactHooks },
    rules: { 'react-hooks/rules-of-hooks': 'error', 'react-hooks/exhaustive-deps': 'warn' },
  },
  {
    plugins: { 'import-x': importX },
    settings: {
      // Sources import siblings as `./x.js` (NodeNext); the file on disk is x.ts.
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.tsx', '.js', '.mjs', '.json', '.node'], extensionAlias: { '.js': ['.ts', '.tsx', '.js'] } })],
    },
    rules: {
      'import-x/no-self-import': 'error',
      'import-x/no-restricted-paths': [
        'error',
        {
          zones: [
            { target: DOMAINS.map((d) => `${server}/${d}`), from: [`${server}/http`, `${server}/app`, `${server}/cli`], message: 'a domain never imports http/, app/ or cli/ (they import it)' },
            { target: `${server}/lib`, from: server, except: ['./lib'], message: 'lib/ knows no domain: it imports nothing else from src/' },
            { target: 'packages/contract', from: 'apps', message: 'the API contract imports nothing from apps/ (the server, the CLI and the web app import it)' },
          ],
        },
      ],
    },
  },
  {
    // One home for every query: Kysely's query builders and `sql` templates only where SQL_HOMES says.
    files: [`${server}/**/*.ts`],
    ignores: SQL_HOMES,
    rules: {
      'no-restricted-syntax': [
        'error',
        { selector: 'CallExpression[callee.property.name=/^(selectFrom|insertInto|replaceInto|updateTable|deleteFrom|mergeInto|selectNoFrom)$/]', message: SQL_MESSAGE },
        { selector: "TaggedTemplateExpression[tag.name='sql']", message: SQL_MESSAGE },
        { selector: "CallExpression[callee.object.name='sql']", message: SQL_MESSAGE },
      ],
    },
  },
);
