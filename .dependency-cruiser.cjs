/** dependency-cruiser: the dependency picture in docs/architecture.md (`npm run deps:graph`) and the cycle check in `npm run lint`. */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'No import cycles between modules (type-only imports included: they tie the modules together as much).',
      from: {},
      to: { circular: true },
    },
    {
      name: 'password-hashing-in-auth',
      severity: 'error',
      comment: 'Password hashing (argon2) lives in auth/password.ts only; users and sessions call it.',
      from: { pathNot: '^apps/server/src/auth/password\\.ts$' },
      to: { path: '@node-rs/argon2' },
    },
    {
      name: 'incident-knows-no-report',
      severity: 'error',
      comment: 'The incident lifecycle does not call reporting: report rows are written by a reaction app/ registers (onIncidentResolved).',
      from: { path: '^apps/server/src/incident/' },
      to: { path: '^apps/server/src/report/' },
    },
    {
      name: 'database-from-tables',
      severity: 'error',
      comment: 'database.ts is the table map: it imports the row types of each domain from its tables.ts, nothing else.',
      from: { path: '^apps/server/src/database\\.ts$' },
      to: { pathNot: '/tables\\.ts$' },
    },
    {
      name: 'no-test-code-in-production',
      severity: 'error',
      comment: 'Production code (apps/server/src outside *.test.ts) imports neither vitest nor the test tree: test helpers live under apps/server/test.',
      from: { path: '^apps/server/src/', pathNot: '\\.test\\.ts$' },
      to: { path: ['(^|/)node_modules/vitest/', '^apps/server/test/'] },
    },
    {
      name: 'contract-stands-alone',
      severity: 'error',
      comment: 'The API contract (packages/contract) is shared by the server, the CLI and the web app: it imports nothing from apps/.',
      from: { path: '^packages/contract/' },
      to: { path: '^apps/' },
    },
    {
      name: 'web-takes-contract-types-only',
      severity: 'error',
      comment: 'The web app imports the contract type-only (`import type`), so TypeBox stays out of its bundle; plain value lists come from @klaxon/contract/lists.',
      from: { path: '^apps/web/' },
      to: { path: '^packages/contract/src/', pathNot: '^packages/contract/src/lists\\.ts$', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    // exportsFields: the workspaces' package.json exports (`@klaxon/contract` is packages/contract/src/index.ts).
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js'], exportsFields: ['exports'], conditionNames: ['import', 'default'] },
  },
};
