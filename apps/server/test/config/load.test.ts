/** Reading klaxon.yaml: every problem named as file:line:col: path: what, and nothing but ConfigFileError thrown. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { ConfigFileError, parseConfigFile, validateConfig } from '../../src/config/load.js';
import { EXAMPLE_TEXT, editExample, lineColOf } from './helpers.js';

function problemsOf(text: string, file = 'klaxon.yaml'): string[] {
  try {
    parseConfigFile(file, text);
  } catch (e) {
    if (e instanceof ConfigFileError) return e.message.split('\n');
    throw e;
  }
  throw new Error('expected a ConfigFileError');
}

describe('parseConfigFile', () => {
  it('reads the example file', () => {
    const doc = parseConfigFile('examples/klaxon.yaml', EXAMPLE_TEXT);
    expect(doc.version).toBe(1);
    expect(doc.users?.map((u) => u.email)).toEqual(['alice@example.com', 'bob@example.com', 'carmen@example.com', 'dev@example.com']);
    expect(doc.teams?.map((t) => t.name)).toEqual(['Payments', 'Platform']);
    expect(doc.escalationPolicies?.map((p) => p.name)).toEqual(['Payments default', 'Platform default']);
    expect(doc.services?.flatMap((s) => s.integrations?.map((i) => i.kind))).toEqual(['alertmanager', 'grafana', 'pagerduty', 'opsgenie', 'alertmanager']);
  });

  it('names the line and column of a YAML syntax error', () => {
    const text = 'version: 1\nusers:\n  - email: a@example.com\n    name: "Alice\n';
    const problems = problemsOf(text);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^klaxon\.yaml:\d+:\d+: YAML syntax error: /);
  });

  it('reports duplicate keys as YAML errors at the repeated key', () => {
    expect(problemsOf('version: 1\nusers: []\nusers: []\n')).toEqual(['klaxon.yaml:3:1: YAML syntax error: Map keys must be unique']);
  });

  it('names file:line:col and path for a wrong type', () => {
    const text = editExample((d) => d.setIn(['services', 0, 'escalationPolicy'], 5));
    expect(problemsOf(text)).toEqual([`klaxon.yaml:${lineColOf(text, '5\n    grouping')}: services[0].escalationPolicy: must be string or null`]);
  });

  it('names an unknown field at its key, with a suggestion', () => {
    const text = editExample((d) => {
      d.setIn(['users', 1, 'timezone'], 'Europe/London');
      d.deleteIn(['users', 1, 'timeZone']);
    });
    expect(problemsOf(text)).toEqual([`klaxon.yaml:${lineColOf(text, 'timezone')}: users[1].timezone: unknown field "timezone" (did you mean "timeZone"?)`]);
  });

  it('lists the allowed fields when an unknown one is not a near miss', () => {
    const text = 'version: 1\nteams:\n  - name: Ops\n    slack: "#ops"\n';
    expect(problemsOf(text)).toEqual(['klaxon.yaml:4:5: teams[0].slack: unknown field "slack"; expected one of: name, description, members, chatChannels']);
  });

  it('names a notification rule whose contact method the user does not have', () => {
    const text = EXAMPLE_TEXT.replace('{ contactMethod: mobile, delayMinutes: 1 }', '{ contactMethod: mobil, delayMinutes: 1 }');
    expect(problemsOf(text)).toEqual([`klaxon.yaml:${lineColOf(text, 'mobil,')}: users[0].notificationRules[1].contactMethod: unknown contact method "mobil" (did you mean "mobile"?)`]);
  });

  it('reports every problem at once, in file order', () => {
    const text = [
      'version: 2',
      'users:',
      '  - email: not-an-email',
      '    name: ""',
      '    role: boss',
      'services:',
      '  - name: api',
      '    grouping: { mode: window }',
      '    integrations:',
      '      - { name: am, kind: prometheus, key: short }',
      '',
    ].join('\n');
    expect(problemsOf(text, 'ops/klaxon.yaml')).toEqual([
      'ops/klaxon.yaml:1:10: version: must be 1',
      'ops/klaxon.yaml:3:12: users[0].email: must be an email address',
      'ops/klaxon.yaml:4:11: users[0].name: must NOT have fewer than 1 characters',
      'ops/klaxon.yaml:5:11: users[0].role: must be one of: admin, responder, stakeholder, viewer',
      'ops/klaxon.yaml:8:15: services[0].grouping: missing required field "minutes"',
      'ops/klaxon.yaml:10:27: services[0].integrations[0].kind: must be one of: pagerduty, alertmanager, grafana, opsgenie, generic, email',
      'ops/klaxon.yaml:10:44: services[0].integrations[0].key: must NOT have fewer than 16 characters',
    ]);
  });

  it('explains escalation targets and grouping forms that match no form', () => {
    const text = [
      'version: 1',
      'escalationPolicies:',
      '  - name: p',
      '    levels:',
      '      - delayMinutes: 5',
      '        targets: [{ user: 5 }, { person: a@example.com }, { user: a@example.com, team: Ops }]',
      'services:',
      '  - { name: api, grouping: { mode: sometimes } }',
      '',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      'klaxon.yaml:6:27: escalationPolicies[0].levels[0].targets[0].user: must be string',
      'klaxon.yaml:6:32: escalationPolicies[0].levels[0].targets[1]: must be one of: {user: <email>}, {team: <name>}, {schedule: <name>}, {scheduleNext: <name>}, {schedulePrevious: <name>}, {teamManagers: <name>}, {teamRandom: <name>}',
      'klaxon.yaml:6:59: escalationPolicies[0].levels[0].targets[2]: must be one of: {user: <email>}, {team: <name>}, {schedule: <name>}, {scheduleNext: <name>}, {schedulePrevious: <name>}, {teamManagers: <name>}, {teamRandom: <name>}',
      'klaxon.yaml:8:28: services[0].grouping: must be one of: {mode: none}, {mode: window, minutes: <n>}, {mode: field, field: <name>}',
    ]);
  });

  it('checks names are unique, zones exist and addresses fit their channel', () => {
    const text = [
      'version: 1',
      'users:',
      '  - email: a@example.com',
      '    name: A',
      '    timeZone: Mars/Olympus_Mons',
      '    contactMethods:',
      '      - { name: phone, type: voice, address: "555-0100" }',
      '      - { name: phone, type: email, address: a@example.com }',
      '  - { email: A@Example.com, name: A again }',
      'teams:',
      '  - { name: Ops, members: [{ user: a@example.com }, { user: A@example.com }] }',
      'services:',
      '  - name: api',
      '    integrations:',
      '      - { name: am, kind: alertmanager, key: same-key-1234567890 }',
      '      - { name: am, kind: grafana, key: same-key-1234567890 }',
      '',
    ].join('\n');
    expect(problemsOf(text)).toEqual([
      'klaxon.yaml:5:15: users[0].timeZone: unknown IANA time zone "Mars/Olympus_Mons" (e.g. Europe/Berlin, America/New_York)',
      'klaxon.yaml:7:46: users[0].contactMethods[0].address: must be a phone number in E.164 form, e.g. +14155550100 for a voice contact method',
      'klaxon.yaml:8:17: users[0].contactMethods[1].name: duplicate contact method "phone" (also at users[0].contactMethods[0].name)',
      'klaxon.yaml:9:14: users[1].email: duplicate user "A@Example.com" (also at users[0].email)',
      'klaxon.yaml:11:61: teams[0].members[1].user: duplicate member "A@example.com" (also at teams[0].members[0].user)',
      'klaxon.yaml:16:17: services[0].integrations[1].name: duplicate integration "am" (also at services[0].integrations[0].name)',
      'klaxon.yaml:16:41: services[0].integrations[1].key: duplicate integration key: every integration needs its own (also at services[0].integrations[0].key)',
    ]);
  });

  it('rejects an empty file and a file that is not a mapping', () => {
    for (const text of ['', '# nothing\n', '- version: 1\n', '42\n']) {
      expect(problemsOf(text)).toEqual(['klaxon.yaml:1:1: (document): must be a mapping with `version: 1` and users, teams, schedules, escalationPolicies and services']);
    }
    expect(problemsOf('users: []\n')).toEqual(['klaxon.yaml:1:1: (document): missing required field "version"']);
  });

  it('refuses a list or mapping as a key, and keeps each problem on one line', () => {
    // fast-check found this: a `?` line in the example made `- name: Platform ...` a mapping key,
    // which the yaml library turned into a multi-line field name.
    const at = EXAMPLE_TEXT.indexOf('  - name: Platform');
    const line = Number(lineColOf(EXAMPLE_TEXT, '  - name: Platform').split(':')[0]) + 1;
    expect(problemsOf(EXAMPLE_TEXT.slice(0, at) + '?\n' + EXAMPLE_TEXT.slice(at))).toEqual([`klaxon.yaml:${line}:3: a key must be a plain name, not a list or a mapping`]);
    expect(problemsOf('version: 1\nx: &a [1]\n*a : 2\n')).toEqual(['klaxon.yaml:3:1: a key must be a plain name, not a list or a mapping']);
    expect(problemsOf('version: 1\n"a\\nb": 1\n')).toEqual([
      'klaxon.yaml:2:1: a\\nb: unknown field "a\\nb"; expected one of: version, users, teams, schedules, escalationPolicies, services, eventRules',
    ]);
  });

  it('follows anchors and aliases, and refuses alias bombs', () => {
    const ok = parseConfigFile('k.yaml', 'version: 1\nusers:\n  - &a { email: a@example.com, name: A }\nteams:\n  - { name: T, members: [{ user: a@example.com }] }\n');
    expect(ok.users?.[0]?.email).toBe('a@example.com');
    const bomb = [
      'version: 1',
      'a: &a [x, x, x, x, x, x, x, x, x, x]',
      'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
      '',
    ].join('\n');
    expect(() => parseConfigFile('k.yaml', bomb)).toThrow(ConfigFileError);
  });

  it('validates documents built in code, without positions', () => {
    expect(() => validateConfig({ version: 1, users: [{ email: 'a@example.com' }] }, 'api')).toThrow('api: users[0]: missing required field "name"');
    expect(validateConfig({ version: 1 })).toEqual({ version: 1 });
  });
});

// ---- property: random documents parse or fail with ConfigFileError, never anything else ----

const word = fc.oneof(
  {
    weight: 6,
    arbitrary: fc.constantFrom(
      'alice@example.com',
      'bob@example.com',
      'email',
      'sms',
      'Payments',
      'Payments default',
      'api',
      'UTC',
      'Europe/Berlin',
      '+14155550100',
      'https://hooks.example.com/x',
      'U024BE7LH',
    ),
  },
  { weight: 1, arbitrary: fc.string({ maxLength: 12 }) },
);
const junk = fc.oneof(word, fc.integer({ min: -5, max: 2000 }), fc.constant(null), fc.boolean(), fc.double(), fc.array(word, { maxLength: 2 }), fc.dictionary(word, word, { maxKeys: 2 }));
// Mostly coherent values, so that many documents get past the schema to the checks behind it; now and then junk.
const maybe = <T>(arb: fc.Arbitrary<T>) => fc.oneof({ weight: 30, arbitrary: arb }, { weight: 1, arbitrary: junk });
const email = fc.oneof(fc.constantFrom('alice@example.com', 'Bob@Example.com', 'carmen@example.com', 'dev@example.com'), fc.emailAddress());
const unique = <T>(arb: fc.Arbitrary<T>, key: (x: T) => unknown, maxLength = 3) =>
  maybe(
    fc.uniqueArray(arb, {
      selector: (x) => {
        const k = key(x);
        return typeof k === 'string' ? k.toLowerCase() : (JSON.stringify(k) ?? '');
      },
      maxLength,
    }),
  );

/** Mostly one of the valid values, sometimes an invalid one. */
const pick = <T>(valid: readonly T[], invalid: readonly unknown[]) => fc.oneof({ weight: 12, arbitrary: fc.constantFrom(...valid) }, { weight: 1, arbitrary: fc.constantFrom(...invalid) });

const contactMethod = fc.oneof(
  {
    weight: 12,
    arbitrary: fc.constantFrom(
      { name: 'email', type: 'email', address: 'a@example.com' },
      { name: 'sms', type: 'sms', address: '+1 (415) 555-0100' },
      { name: 'voice', type: 'voice', address: '+14155550101' },
      { name: 'hook', type: 'webhook', address: 'https://hooks.example.com/x' },
      { name: 'slack', type: 'slack', address: 'U024BE7LH' },
    ),
  },
  { weight: 1, arbitrary: fc.record({ name: maybe(word), type: pick(['email', 'sms', 'voice', 'slack', 'webhook'], ['push', 'pager']), address: maybe(word) }, { requiredKeys: [] }) },
);
const rule = fc.record(
  {
    contactMethod: maybe(pick(['email', 'sms', 'voice'], ['pager', ''])),
    delayMinutes: maybe(fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 0, max: 10 }) }, { weight: 1, arbitrary: fc.constantFrom(-1, 1441, 2.5) })),
  },
  { requiredKeys: ['contactMethod', 'delayMinutes'] },
);
const userFields = fc.record(
  {
    email: maybe(email),
    name: maybe(word),
    timeZone: maybe(pick(['UTC', 'Europe/Berlin', 'America/New_York'], ['Mars/Base', ''])),
    role: maybe(pick(['admin', 'responder', 'stakeholder', 'viewer'], ['root'])),
    contactMethods: unique(contactMethod, (c) => (c as { name?: unknown }).name, 4),
    notificationRules: unique(rule, (r) => [r.contactMethod, r.delayMinutes]),
  },
  { requiredKeys: ['email', 'name'] },
);
// Now and then a misspelt field.
const user = fc
  .tuple(userFields, fc.oneof({ weight: 20, arbitrary: fc.constant(undefined) }, { weight: 1, arbitrary: junk }))
  .map(([u, extra]) => (extra === undefined ? u : { ...u, timezone: extra }));
const target = fc.oneof(
  { weight: 12, arbitrary: fc.record({ user: maybe(email) }) },
  { weight: 6, arbitrary: fc.record({ team: maybe(word) }) },
  { weight: 1, arbitrary: fc.record({ schedule: maybe(word) }) },
  { weight: 1, arbitrary: fc.record({ scheduleNext: maybe(word) }) },
  { weight: 1, arbitrary: fc.record({ user: email, team: word }) },
  { weight: 1, arbitrary: junk },
);
const policy = fc.record(
  {
    name: maybe(word),
    description: maybe(word),
    repeat: maybe(fc.integer({ min: -1, max: 10 })),
    levels: maybe(fc.array(fc.record({ delayMinutes: maybe(fc.integer({ min: 0, max: 1441 })), targets: maybe(fc.array(target, { minLength: 1, maxLength: 3 })) }), { minLength: 1, maxLength: 3 })),
  },
  { requiredKeys: ['name', 'levels'] },
);
const integration = fc.record(
  {
    name: maybe(word),
    kind: maybe(pick(['pagerduty', 'alertmanager', 'grafana', 'opsgenie', 'generic'], ['nagios'])),
    key: maybe(fc.oneof({ weight: 9, arbitrary: fc.stringMatching(/^[A-Za-z0-9_.-]{16,24}$/) }, { weight: 1, arbitrary: fc.string({ minLength: 10, maxLength: 30 }) })),
    signingSecret: maybe(fc.oneof(fc.string({ minLength: 6, maxLength: 20 }), fc.constant(null))),
    rateLimitPerMinute: maybe(fc.oneof(fc.integer({ min: 0, max: 100 }), fc.constant(null))),
  },
  { requiredKeys: ['name', 'kind'] },
);
const grouping = fc.oneof(
  { weight: 3, arbitrary: fc.record({ mode: fc.constant('none') }) },
  { weight: 3, arbitrary: fc.record({ mode: fc.constant('window'), minutes: maybe(fc.integer({ min: 0, max: 1441 })) }, { requiredKeys: ['mode'] }) },
  { weight: 3, arbitrary: fc.record({ mode: fc.constant('field'), field: word }) },
  { weight: 1, arbitrary: fc.record({ mode: word }) },
);
const service = fc.record(
  {
    name: maybe(word),
    team: maybe(fc.oneof(word, fc.constant(null))),
    escalationPolicy: maybe(fc.oneof(word, fc.constant(null))),
    grouping: maybe(grouping),
    integrations: unique(integration, (i) => i.name),
  },
  { requiredKeys: ['name'] },
);
const team = fc.record(
  { name: maybe(word), description: maybe(word), members: unique(fc.record({ user: maybe(email), role: maybe(pick(['member', 'manager'], ['boss'])) }, { requiredKeys: ['user'] }), (m) => m.user) },
  { requiredKeys: ['name'] },
);
const document = fc.record(
  {
    version: fc.oneof({ weight: 20, arbitrary: fc.constant(1) }, { weight: 1, arbitrary: junk }),
    users: unique(user, (u) => u.email),
    teams: unique(team, (t) => t.name, 2),
    escalationPolicies: unique(policy, (p) => p.name, 2),
    services: unique(service, (x) => x.name, 2),
  },
  { requiredKeys: ['version'] },
);

/** Parses `text`: true if it parsed (and the result is valid), false if it threw a well-formed ConfigFileError. */
function parsesOrExplains(text: string): boolean {
  let doc;
  try {
    doc = parseConfigFile('klaxon.yaml', text);
  } catch (e) {
    if (!(e instanceof ConfigFileError)) throw e;
    expect(e.problems.length).toBeGreaterThan(0);
    for (const line of e.message.split('\n')) expect(line).toMatch(/^klaxon\.yaml(:\d+:\d+)?: \S/);
    return false;
  }
  expect(() => validateConfig(doc)).not.toThrow();
  return true;
}

describe('parseConfigFile on random input', () => {
  it('random documents either parse or throw ConfigFileError', () => {
    let parsed = 0;
    fc.assert(
      fc.property(document, (doc) => {
        const text = stringify(doc);
        if (parsesOrExplains(text)) parsed++;
      }),
      { numRuns: 400 },
    );
    // The generator is meant to reach valid documents too, not only errors.
    expect(parsed).toBeGreaterThan(40);
  });

  it('random edits of the example file either parse or throw ConfigFileError', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(EXAMPLE_TEXT.length), fc.nat(8), fc.string({ maxLength: 6 })), { minLength: 1, maxLength: 4 }), (edits) => {
        let text = EXAMPLE_TEXT;
        for (const [at, cut, insert] of edits) text = text.slice(0, at) + insert + text.slice(at + cut);
        parsesOrExplains(text);
      }),
      { numRuns: 300 },
    );
  });

  it('arbitrary text either parses or throws ConfigFileError', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 200 }), (text) => {
        parsesOrExplains(text);
      }),
      { numRuns: 300 },
    );
  });
});
