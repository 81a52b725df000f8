import { join } from 'node:path';
import fc from 'fast-check';
import {
  INPUT_TYPES,
  Input,
  MutationName,
  RESULT_FIELDS,
  STACK_TRACE,
  daysFromNow,
  minutesFromNow,
  ok,
} from './support/commands';
import { logEdges } from './support/log-reader';
import { report } from './support/report';
import { loggedFailures } from './support/server-log';
import { TestServer, startServer, temporaryDirectory } from './support/test-server';
import { REFUSAL_CODES } from './support/write-load';

/**
 * Generated hostile input against one server: every mutation's input and every query's
 * arguments, valid-ish and malformed, as variables and as literals. Whatever comes in, the
 * answer is data, or errors with a client code (never INTERNAL_SERVER_ERROR, never a stack
 * trace or a path), a refused mutation records nothing, and the server goes on serving.
 *
 * The seed is fixed so that a failure replays; fast-check prints the counterexample.
 */

const SEED = 20_260_301;
const MUTATION_RUNS = 80;
const QUERY_RUNS = 250;

/** Ids that exist once the server is seeded (of every kind, so each lands in wrong places too). */
const KNOWN_IDS = [
  'acme',
  'globex',
  'initech',
  'river',
  'lake',
  'pond',
  'bridge',
  'tunnel',
  'a1',
  'ghost',
];
const ENUM_VALUES = new Set([
  'CORE',
  'RING',
  'FREE_SPACE',
  'ACTIVE',
  'ENDED',
  'COMPLETED',
  'TERMINATED',
  'EXPIRED',
  'MERGED',
  'OTHER',
]);

// ---- arbitraries -------------------------------------------------------------------------

const controlCharacter = fc.integer({ min: 0, max: 0x1f }).map((code) => String.fromCharCode(code));
const loneSurrogate = fc
  .integer({ min: 0xd800, max: 0xdfff })
  .map((code) => String.fromCharCode(code));

const text = fc.oneof(
  { weight: 4, arbitrary: fc.string({ minLength: 1, maxLength: 30 }) },
  fc.string({ unit: 'grapheme', maxLength: 30 }),
  fc.string({ unit: 'binary', maxLength: 30 }),
  fc.string({ unit: controlCharacter, maxLength: 10 }),
  fc.string({ unit: loneSurrogate, minLength: 1, maxLength: 3 }),
  fc.constantFrom(
    '',
    ' ',
    '\t\n ',
    '\u00a0',
    '\u2028\u2029',
    '\ufeff',
    "Robert'); DROP TABLE events;--",
    '__proto__',
    'constructor',
    '{"$gt": ""}',
    '%s%s%n',
    '\\',
    '${process.exit()}',
    '<script>alert(1)</script>',
  ),
  fc
    .tuple(
      fc.constantFrom(199, 200, 201, 1_999, 2_000, 2_001, 9_999, 10_000, 10_001, 150_000),
      fc.constantFrom('x', '😀', ' ', 'e\u0301'),
    )
    .map(([count, unit]) => unit.repeat(count)),
);

const validId = fc.stringMatching(/^[A-Za-z0-9._:-]{1,64}$/);
const badId = fc.oneof(
  fc.constantFrom(
    '',
    'a'.repeat(65),
    'has space',
    'slash/id',
    'émile',
    'nul\u0000',
    '../../etc/passwd',
    '😀',
    'organization-acme',
    'x'.repeat(100_000),
  ),
  fc.string({ unit: 'binary', minLength: 1, maxLength: 80 }),
);
const id = fc.oneof(
  { weight: 5, arbitrary: fc.constantFrom(...KNOWN_IDS) },
  { weight: 2, arbitrary: validId },
  { weight: 2, arbitrary: badId },
);
/** A small pool too, so that commandIds are repeated and reused. */
const commandId = fc.oneof(fc.constantFrom('cmd-1', 'cmd-2', 'cmd-3'), validId, badId);

const integer = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -3, max: 8 }) },
  fc.constantFrom(
    2 ** 31 - 1,
    2 ** 31,
    -(2 ** 31),
    -(2 ** 31) - 1,
    Number.MAX_SAFE_INTEGER,
    Number.MAX_SAFE_INTEGER + 2,
    1e21,
    1e308,
    -0,
    0.5,
  ),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

const date = fc.oneof(
  { weight: 3, arbitrary: fc.integer({ min: -400, max: 400 }).map((days) => daysFromNow(days)) },
  fc.integer({ min: -10, max: 10 }).map((minutes) => minutesFromNow(minutes)),
  fc.date({ noInvalidDate: true }).map((value) => value.toISOString()),
  fc.constantFrom(
    '0001-01-01T00:00:00Z',
    '9999-12-31T23:59:59.999Z',
    '+275760-09-13T00:00:00.000Z',
    '-271821-04-20T00:00:00.000Z',
    '1970-01-01T00:00:00Z',
    '2026-02-30T00:00:00Z',
    '2026-13-01T00:00:00Z',
    '2026-03-01',
    '2026-03-01T09:00:00',
    '2026-03-01T25:00:00Z',
    '2026-03-01T09:00:00+25:00',
    '2026-03-01T09:00:00.123456789Z',
    'yesterday',
    '',
    '2026-03-01T09:00:00Z\u0000',
  ),
  fc.integer(),
);

const position = fc.oneof(
  { weight: 4, arbitrary: fc.constantFrom('CORE', 'RING', 'FREE_SPACE') },
  fc.constantFrom('core', 'MIDDLE', '', 'ACTIVE'),
);
const endReason = fc.oneof(
  {
    weight: 4,
    arbitrary: fc.constantFrom('COMPLETED', 'TERMINATED', 'EXPIRED', 'MERGED', 'OTHER'),
  },
  fc.constantFrom('DONE', 'completed'),
);
const parties = fc.oneof(
  fc.array(id, { maxLength: 5 }),
  fc.constant(['acme', 'acme']),
  fc.constant(Array.from({ length: 51 }, (_, index) => `party${index}`)),
  fc.constant(Array.from({ length: 20_000 }, () => 'acme')),
);

function nest(depth: number, kind: 'array' | 'object'): unknown {
  let value: unknown = 'bottom';
  for (let level = 0; level < depth; level++) value = kind === 'array' ? [value] : { a: value };
  return value;
}

/** Values of any type, for any place. */
const garbage: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 3, arbitrary: fc.jsonValue({ maxDepth: 3 }) },
  fc
    .tuple(
      fc.integer({ min: 20, max: 1_000 }),
      fc.constantFrom('array' as const, 'object' as const),
    )
    .map(([depth, kind]) => nest(depth, kind)),
  fc.constantFrom(
    null,
    true,
    0,
    -1,
    '',
    [],
    {},
    [null],
    JSON.parse('{"__proto__": {"polluted": true}}') as unknown,
    { constructor: { prototype: { polluted: true } } },
  ),
);

type Fields = Record<string, fc.Arbitrary<unknown>>;

/** An input of the given fields (the required ones always there), then maybe mangled. */
function input(required: Fields, optional: Fields): fc.Arbitrary<unknown> {
  const base = fc.record(
    { ...required, ...optional },
    { requiredKeys: Object.keys(required) as never[] },
  ) as fc.Arbitrary<Record<string, unknown>>;
  return fc.oneof(
    { weight: 8, arbitrary: base },
    {
      weight: 2,
      arbitrary: fc.tuple(base, fc.nat(), garbage).map(([value, index, replacement]) => {
        const key = Object.keys(value)[index % Math.max(1, Object.keys(value).length)];
        return key === undefined ? replacement : { ...value, [key]: replacement };
      }),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(base, fc.nat()).map(([value, index]) => {
        const key = Object.keys(value)[index % Math.max(1, Object.keys(value).length)];
        return key === undefined ? null : { ...value, [key]: null };
      }),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(
          base,
          fc.oneof(fc.string({ minLength: 1, maxLength: 12 }), fc.constant('__proto__')),
          garbage,
        )
        .map(([value, key, extra]) => ({ ...value, [key]: extra })),
    },
    { weight: 1, arbitrary: garbage },
  );
}

/** Mostly a plausible value (so that commands also succeed), now and then a hostile one. */
function field(
  plausible: fc.Arbitrary<unknown>,
  hostile: fc.Arbitrary<unknown>,
): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 5, arbitrary: plausible }, { weight: 1, arbitrary: hostile });
}

const plainText = fc.stringMatching(/^[A-Z][a-z]{0,12}( [a-z]{1,8}){0,3}$/);
const name = field(plainText, text);
const note = field(fc.option(plainText, { nil: undefined }), text);
const newId = field(validId, id);
const organizationId = field(fc.constantFrom('acme', 'globex', 'initech'), id);
const groupId = field(fc.constantFrom('river', 'lake'), id);
const partnershipId = field(fc.constantFrom('bridge'), id);
const level = field(fc.integer({ min: 1, max: 5 }), integer);
const soon = field(fc.constant(undefined), date);
const later = field(
  fc.integer({ min: 30, max: 900 }).map((days) => daysFromNow(days)),
  date,
);
const common = {
  commandId: field(
    fc.oneof(
      { weight: 6, arbitrary: fc.constant(undefined) },
      { weight: 3, arbitrary: validId },
      { weight: 1, arbitrary: fc.constantFrom('cmd-1', 'cmd-2', 'cmd-3') },
    ),
    commandId,
  ),
  effectiveAt: soon,
};
const addressing = { ...common, expectedVersion: field(fc.constant(undefined), integer) };

const INPUTS: Record<MutationName, fc.Arbitrary<unknown>> = {
  registerOrganization: input({ name }, { id: newId, ...common }),
  assessCapability: input(
    { organizationId, ambition: level, realized: level },
    { notes: note, ...addressing },
  ),
  foundGroup: input({ name }, { id: newId, purpose: note, ...common }),
  joinGroup: input({ groupId, organizationId, position }, addressing),
  changePosition: input({ groupId, organizationId, position }, { reason: note, ...addressing }),
  leaveGroup: input({ groupId, organizationId }, { reason: note, ...addressing }),
  dissolveGroup: input(
    { groupId: field(fc.constantFrom('pond'), id) },
    { reason: note, ...addressing },
  ),
  formPartnership: input(
    {
      name,
      partyIds: field(fc.subarray(['acme', 'globex', 'initech'], { minLength: 2 }), parties),
      intendedEndAt: later,
    },
    { id: newId, purpose: note, groupId: field(fc.constant(undefined), id), ...common },
  ),
  agreeArrangement: input(
    { partnershipId, title: name, terms: name },
    {
      arrangementId: newId,
      validUntil: field(fc.constant(undefined), date),
      commitments: field(
        fc.array(fc.record({ organizationId, commitment: name }), { maxLength: 3 }),
        fc.oneof(
          garbage,
          fc.constant(
            Array.from({ length: 60 }, (_, index) => ({
              organizationId: `party${index}`,
              commitment: 'c',
            })),
          ),
        ),
      ),
      ...addressing,
    },
  ),
  extendPartnership: input({ partnershipId, intendedEndAt: later }, addressing),
  endPartnership: input(
    { partnershipId: field(fc.constantFrom('tunnel'), id), reason: endReason },
    { note, ...addressing },
  ),
  // Any number of targets, so that none, one and several are all tried.
  recordIntervention: input(
    { title: name },
    { interventionId: newId, organizationId, groupId, partnershipId, aim: note, ...addressing },
  ),
};

/** Sent as a variable mostly; as a literal in the document now and then. */
const transport = fc.constantFrom('variables', 'variables', 'variables', 'literal');

// ---- the server and what it answers -------------------------------------------------------

interface Answer {
  readonly status: number;
  readonly text: string;
}

describe('hostile input', () => {
  const directory = temporaryDirectory();
  let server: TestServer;
  /** The last edge of the global log seen so far: new events are the ones after it. */
  let logCursor: string | null = null;
  const recordedIds = new Set<string>();
  const cursors: string[] = [];
  const figures = { requests: 0, data: 0, refused: 0, recorded: 0 };
  /** How often each code was answered, for the report. */
  const codes = new Map<string, number>();

  async function post(body: unknown): Promise<Answer> {
    try {
      const response = await fetch(server.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json', accept: 'application/json' },
        body: JSON.stringify(body),
      });
      figures.requests++;
      return { status: response.status, text: await response.text() };
    } catch (error) {
      // Say what became of the server rather than only that the connection failed.
      const { exitCode, signalCode } = server.process;
      throw new Error(
        `no answer (${String(error)}); the server ${
          exitCode === null && signalCode === null
            ? 'still runs'
            : `exited (${exitCode ?? signalCode})`
        }; its output ends with:\n${server.output().slice(-3_000)}`,
      );
    }
  }

  /**
   * The property every answer has: data without errors, or errors whose every code is a
   * client's; no 5xx, no stack trace, no path.
   */
  function judge(answer: Answer, field?: string): { data: any } | { refused: string[] } {
    expect(answer.status).toBeLessThan(500);
    expect(answer.text).not.toMatch(STACK_TRACE);
    const body = JSON.parse(answer.text) as { data?: any; errors?: any[] };
    const errors = body.errors ?? [];
    if (errors.length === 0) {
      expect(body.data).toEqual(expect.any(Object));
      if (field !== undefined) expect(body.data[field]).toEqual(expect.any(Object));
      figures.data++;
      return { data: body.data };
    }
    const answered = errors.map((error) => error?.extensions?.code);
    expect(answered.filter((code) => !REFUSAL_CODES.includes(code))).toEqual([]);
    figures.refused++;
    const key = [answered[0], errors[0]?.extensions?.rule].filter(Boolean).join('/');
    codes.set(key, (codes.get(key) ?? 0) + 1);
    return { refused: answered };
  }

  /** The events recorded since the last call. */
  async function newEvents(): Promise<string[]> {
    const response = await server.gql<any>(
      `query ($after: String) {
        events(first: 100, after: $after) { edges { cursor node { id } } }
      }`,
      { after: logCursor },
    );
    expect(response.errors ?? []).toEqual([]);
    const edges: { cursor: string; node: { id: string } }[] = response.data.events.edges;
    if (edges.length > 0) logCursor = edges.at(-1)!.cursor;
    return edges.map((edge) => edge.node.id);
  }

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'));
    for (const organization of ['acme', 'globex', 'initech']) {
      await ok(server, 'registerOrganization', {
        id: organization,
        name: organization.toUpperCase(),
        effectiveAt: daysFromNow(-60),
      });
    }
    for (const group of ['river', 'lake', 'pond']) {
      await ok(server, 'foundGroup', { id: group, name: group, effectiveAt: daysFromNow(-50) });
    }
    for (const [organizationId, at] of [
      ['acme', 'CORE'],
      ['globex', 'RING'],
    ]) {
      await ok(server, 'joinGroup', {
        groupId: 'river',
        organizationId,
        position: at,
        effectiveAt: daysFromNow(-40),
      });
    }
    await ok(server, 'formPartnership', {
      id: 'bridge',
      name: 'Bridge',
      partyIds: ['acme', 'globex'],
      groupId: 'river',
      intendedEndAt: daysFromNow(300),
      effectiveAt: daysFromNow(-30),
    });
    await ok(server, 'formPartnership', {
      id: 'tunnel',
      name: 'Tunnel',
      partyIds: ['globex', 'initech'],
      intendedEndAt: daysFromNow(200),
    });
    await ok(server, 'agreeArrangement', {
      partnershipId: 'bridge',
      arrangementId: 'a1',
      title: 'Warehouse',
      terms: 'Shared rent',
    });
    const log = await logEdges(server);
    for (const edge of log.edges) recordedIds.add(edge.node.id);
    logCursor = log.edges.at(-1)!.cursor;
    const organizations = await server.gql<any>('{ organizations(first: 2) { edges { cursor } } }');
    cursors.push(logCursor, ...organizations.data.organizations.edges.map((e: any) => e.cursor));
  });

  afterAll(async () => {
    report(
      `hostile-input: requests=${figures.requests} answered with data=${figures.data} ` +
        `refused=${figures.refused} mutations recorded=${figures.recorded} seed=${SEED} ` +
        `refusals: ${[...codes].map(([code, count]) => `${code}=${count}`).join(' ')}`,
    );
    await server?.close();
    directory.remove();
  });

  /** Where the server's output stood when the running test began. */
  let outputBefore = 0;
  beforeEach(() => {
    outputBefore = server.output().length;
  });

  afterEach(async () => {
    // The server goes on serving, and logged no failure of its own.
    const still = await server.gql('{ organization(id: "acme") { name } }');
    expect(still).toEqual({ status: 200, data: { organization: { name: 'ACME' } } });
    expect(loggedFailures(server.output().slice(outputBefore))).toEqual([]);
  });

  it.each(Object.keys(INPUTS) as MutationName[])(
    '%s: any input is answered with a result or a client error, and a refusal records nothing',
    async (mutation) => {
      await fc.assert(
        fc.asyncProperty(INPUTS[mutation], transport, async (value, how) => {
          const body =
            how === 'literal' && value !== null && typeof value === 'object'
              ? {
                  query: `mutation { ${mutation}(input: ${literal(value)}) { ${RESULT_FIELDS} } }`,
                }
              : {
                  query: `mutation ($input: ${INPUT_TYPES[mutation]}!) { ${mutation}(input: $input) { ${RESULT_FIELDS} } }`,
                  variables: { input: value as Input },
                };
          const verdict = judge(await post(body), mutation);
          const recorded = await newEvents();
          if ('refused' in verdict) {
            expect(recorded).toEqual([]);
            return;
          }
          const result = verdict.data[mutation] as { eventIds: string[] };
          if (recorded.length === 0) {
            // A repeated commandId: the first result, nothing new.
            expect(result.eventIds.filter((eventId) => !recordedIds.has(eventId))).toEqual([]);
          } else {
            expect(recorded).toEqual(result.eventIds);
            figures.recorded++;
          }
          for (const eventId of recorded) recordedIds.add(eventId);
        }),
        { seed: SEED, numRuns: MUTATION_RUNS },
      );
    },
  );

  it('any query is answered with data or a client error, and records nothing', async () => {
    const first = fc.oneof(
      fc.integer({ min: -5, max: 505 }),
      fc.constantFrom(0, 500, 501, -1, 2 ** 31 - 1, 2 ** 31, 1.5, '10', null, true),
    );
    const after = fc.oneof(
      fc.constant(null),
      fc.constantFrom(...cursors),
      text,
      fc.base64String({ maxLength: 40 }),
      fc.constantFrom('', 'MA==', 'bnVsbA==', '-1', '999999999999999999999', 'eyJwIjotMX0='),
      garbage,
    );
    const queryId = fc.oneof({ weight: 4, arbitrary: id }, garbage);
    const cases: fc.Arbitrary<{ query: string; variables: Record<string, unknown> }> = fc.oneof(
      fc
        .tuple(fc.constantFrom('organization', 'group', 'partnership'), queryId)
        .map(([field, value]) => ({
          query: `query ($id: ID!) { ${field}(id: $id) { id name version history { id type } } }`,
          variables: { id: value },
        })),
      fc
        .tuple(fc.constantFrom('organizations', 'groups', 'partnerships'), first, after)
        .map(([field, firstValue, afterValue]) => ({
          query: `query ($first: Int, $after: String) {
            ${field}(first: $first, after: $after) {
              totalCount pageInfo { hasNextPage endCursor } edges { cursor node { id name } }
            }
          }`,
          variables: { first: firstValue, after: afterValue },
        })),
      fc
        .record({
          status: fc.constantFrom('ACTIVE', 'ENDED', 'OVERDUE', null, 1),
          organizationId: fc.option(queryId),
          groupId: fc.option(queryId),
          first,
          after,
        })
        .map((variables) => ({
          query: `query ($status: PartnershipStatus, $organizationId: ID, $groupId: ID, $first: Int, $after: String) {
            partnerships(status: $status, organizationId: $organizationId, groupId: $groupId, first: $first, after: $after) {
              totalCount edges { node { id status termStatus parties { id } } }
            }
          }`,
          variables,
        })),
      fc
        .record({ asOf: fc.option(date), knownAt: fc.option(date), id: queryId, first })
        .map((variables) => ({
          query: `query ($asOf: DateTime, $knownAt: DateTime, $id: ID!, $first: Int) {
            network(asOf: $asOf, knownAt: $knownAt) {
              asOf knownAt
              stats { organizations groups activeGroups activeMemberships activePartnerships overduePartnerships }
              organization(id: $id) { id version memberships(includeEnded: true) { position joinedAt leftAt } }
              group(id: $id) { id members { position } }
              partnership(id: $id) { id termStatus arrangements { id } }
              partnerships(first: $first) { totalCount edges { node { id termStatus } } }
            }
          }`,
          variables,
        })),
      fc
        .oneof(
          { weight: 3, arbitrary: text },
          fc.constantFrom('organization-acme', 'group-river', 'partnership-bridge', 'group-'),
          garbage,
        )
        .map((streamId) => ({
          query: `query ($streamId: String!) { history(streamId: $streamId) { id revision type } }`,
          variables: { streamId },
        })),
      fc
        .record({
          first,
          after,
          types: fc.oneof(
            fc.constant(null),
            fc.array(fc.oneof(text, fc.constantFrom('OrganizationRegistered', 'GroupFounded')), {
              maxLength: 5,
            }),
            fc.constant(Array.from({ length: 5_000 }, (_, index) => `Type${index}`)),
            garbage,
          ),
        })
        .map((variables) => ({
          query: `query ($first: Int, $after: String, $types: [String!]) {
            events(first: $first, after: $after, types: $types) {
              pageInfo { hasNextPage endCursor } edges { cursor node { id type } }
            }
          }`,
          variables,
        })),
    );
    await fc.assert(
      fc.asyncProperty(cases, async (request) => {
        judge(await post(request));
        expect(await newEvents()).toEqual([]);
      }),
      { seed: SEED, numRuns: QUERY_RUNS },
    );
  });
});

/** A value as a GraphQL literal: enum values bare, strings as JSON strings. */
function literal(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'string') return ENUM_VALUES.has(value) ? value : JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? String(value) : 'null';
  if (typeof value === 'boolean') return String(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  const fields = Object.entries(value as Record<string, unknown>)
    .filter(([, item]) => item !== undefined)
    .map(([key, item]) => `${key}: ${literal(item)}`);
  return `{ ${fields.join(', ')} }`;
}
