import { join } from 'node:path';
import {
  Input,
  MutationName,
  daysFromNow,
  eventLog,
  expectRefused,
  minutesFromNow,
  ok,
  query,
  send,
  streamHistory,
} from './support/commands';
import {
  GraphQLResponse,
  TestServer,
  startServer,
  temporaryDirectory,
} from './support/test-server';

const LONG_AGO = daysFromNow(-100);
const P_END = daysFromNow(100);

describe('command semantics over HTTP', () => {
  const directory = temporaryDirectory();
  let server: TestServer;

  async function logLength(): Promise<number> {
    return (await eventLog(server)).length;
  }

  /** Sends a command that must be refused, and checks that it recorded nothing. */
  async function refused(
    mutation: MutationName,
    input: Input,
    extensions: Record<string, unknown>,
  ): Promise<GraphQLResponse<unknown>> {
    const before = await logLength();
    const response = await send(server, mutation, input);
    expectRefused(response, extensions);
    expect(response.data?.[mutation] ?? null).toBeNull();
    expect(await logLength()).toBe(before);
    return response;
  }

  async function version(streamId: string): Promise<number> {
    return (await streamHistory(server, streamId)).length;
  }

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'));
    // A small world every rule can be broken against.
    for (const id of ['a', 'b', 'c', 'd', 'e']) {
      await ok(server, 'registerOrganization', {
        id,
        name: id.toUpperCase(),
        effectiveAt: LONG_AGO,
      });
    }
    await ok(server, 'foundGroup', { id: 'g', name: 'G', effectiveAt: LONG_AGO });
    await ok(server, 'joinGroup', {
      groupId: 'g',
      organizationId: 'a',
      position: 'CORE',
      effectiveAt: LONG_AGO,
    });
    await ok(server, 'joinGroup', {
      groupId: 'g',
      organizationId: 'b',
      position: 'RING',
      effectiveAt: LONG_AGO,
    });
    await ok(server, 'foundGroup', { id: 'dead', name: 'Dead', effectiveAt: LONG_AGO });
    await ok(server, 'joinGroup', {
      groupId: 'dead',
      organizationId: 'a',
      position: 'CORE',
      effectiveAt: LONG_AGO,
    });
    await ok(server, 'dissolveGroup', { groupId: 'dead' });
    await ok(server, 'formPartnership', {
      id: 'p',
      name: 'P',
      partyIds: ['a', 'b'],
      groupId: 'g',
      intendedEndAt: P_END,
    });
    await ok(server, 'agreeArrangement', {
      partnershipId: 'p',
      arrangementId: 'x',
      title: 'X',
      terms: 'Terms of x',
    });
    await ok(server, 'formPartnership', {
      id: 'done',
      name: 'Done',
      partyIds: ['a', 'b'],
      intendedEndAt: P_END,
    });
    await ok(server, 'agreeArrangement', {
      partnershipId: 'done',
      arrangementId: 'x-done',
      title: 'X',
      terms: 'Terms of x',
    });
    await ok(server, 'endPartnership', { partnershipId: 'done', reason: 'TERMINATED' });
  });

  afterAll(async () => {
    await server?.close();
    directory.remove();
  });

  describe('commandId', () => {
    it('repeated with the same input returns the first result and records nothing', async () => {
      const input = { id: 'idem', name: 'Idem', commandId: 'cmd-register-idem' };
      const first = await ok(server, 'registerOrganization', input);
      const before = await logLength();
      const again = await ok(server, 'registerOrganization', input);
      expect(again).toEqual(first);
      expect(await logLength()).toBe(before);
      const [event] = await streamHistory(server, 'organization-idem');
      expect(event).toMatchObject({ id: first.eventIds[0], commandId: 'cmd-register-idem' });
    });

    it('repeated without an id returns the same generated id, not a second organisation', async () => {
      const input = { name: 'Generated', commandId: 'cmd-generated' };
      const first = await ok(server, 'registerOrganization', input);
      const before = await logLength();
      const count = async () =>
        (await query(server, '{ organizations(first: 0) { totalCount } }')).organizations
          .totalCount;
      const organizations = await count();
      expect(await ok(server, 'registerOrganization', input)).toEqual(first);
      expect(await logLength()).toBe(before);
      expect(await count()).toBe(organizations);
    });

    it('repeated after its stream moved on still returns the first result', async () => {
      const input = {
        groupId: 'g',
        organizationId: 'd',
        position: 'FREE_SPACE',
        commandId: 'cmd-join-d',
      };
      const first = await ok(server, 'joinGroup', input);
      await ok(server, 'changePosition', { groupId: 'g', organizationId: 'd', position: 'RING' });
      const before = await logLength();
      expect(await ok(server, 'joinGroup', input)).toEqual(first);
      expect(await logLength()).toBe(before);
    });

    it('repeated concurrently records once and gives everyone the same result', async () => {
      await ok(server, 'foundGroup', { id: 'idem-group', name: 'Idem group' });
      const before = await logLength();
      const input = {
        groupId: 'idem-group',
        organizationId: 'e',
        position: 'CORE',
        commandId: 'cmd-concurrent',
      };
      const responses = await Promise.all(
        Array.from({ length: 10 }, () => send(server, 'joinGroup', input)),
      );
      expect(responses.map((response) => response.errors ?? [])).toEqual(responses.map(() => []));
      const results = responses.map((response) => response.data?.joinGroup);
      for (const result of results) expect(result).toEqual(results[0]);
      expect(await logLength()).toBe(before + 1);
    });

    it('reused with a different input is COMMAND_ID_REUSED', async () => {
      await ok(server, 'registerOrganization', {
        id: 'reuse',
        name: 'Reuse',
        commandId: 'cmd-reuse',
      });
      await refused(
        'registerOrganization',
        { id: 'reuse', name: 'Something else', commandId: 'cmd-reuse' },
        { code: 'RULE_VIOLATION', rule: 'COMMAND_ID_REUSED' },
      );
      await refused(
        'registerOrganization',
        { id: 'reuse-2', name: 'Reuse', commandId: 'cmd-reuse' },
        { code: 'RULE_VIOLATION', rule: 'COMMAND_ID_REUSED' },
      );
    });

    it('reused with a different mutation is COMMAND_ID_REUSED', async () => {
      await refused(
        'foundGroup',
        { id: 'reuse', name: 'Reuse', commandId: 'cmd-reuse' },
        { code: 'RULE_VIOLATION', rule: 'COMMAND_ID_REUSED' },
      );
      await refused(
        'assessCapability',
        { organizationId: 'reuse', ambition: 3, realized: 3, commandId: 'cmd-reuse' },
        { code: 'RULE_VIOLATION', rule: 'COMMAND_ID_REUSED' },
      );
    });

    it('is not reserved by a refused command', async () => {
      await refused(
        'registerOrganization',
        { id: 'a', name: 'A again', commandId: 'cmd-fresh' },
        { code: 'RULE_VIOLATION', rule: 'ORGANIZATION_EXISTS' },
      );
      const fresh = await ok(server, 'registerOrganization', {
        id: 'fresh',
        name: 'Fresh',
        commandId: 'cmd-fresh',
      });
      expect(fresh).toMatchObject({ id: 'fresh', version: 1 });

      await refused(
        'assessCapability',
        {
          organizationId: 'fresh',
          ambition: 2,
          realized: 1,
          expectedVersion: 7,
          commandId: 'cmd-conflicted',
        },
        { code: 'CONCURRENCY_CONFLICT' },
      );
      const assessed = await ok(server, 'assessCapability', {
        organizationId: 'fresh',
        ambition: 2,
        realized: 1,
        expectedVersion: 1,
        commandId: 'cmd-conflicted',
      });
      expect(assessed.version).toBe(2);
    });
  });

  describe('expectedVersion', () => {
    it('that does not match is CONCURRENCY_CONFLICT and records nothing', async () => {
      const actual = await version('group-g');
      await refused(
        'joinGroup',
        { groupId: 'g', organizationId: 'e', position: 'CORE', expectedVersion: actual - 1 },
        { code: 'CONCURRENCY_CONFLICT', expectedVersion: actual - 1, actualVersion: actual },
      );
      await refused(
        'joinGroup',
        { groupId: 'g', organizationId: 'e', position: 'CORE', expectedVersion: actual + 5 },
        { code: 'CONCURRENCY_CONFLICT', expectedVersion: actual + 5, actualVersion: actual },
      );
      await refused(
        'assessCapability',
        { organizationId: 'a', ambition: 3, realized: 2, expectedVersion: 0 },
        { code: 'CONCURRENCY_CONFLICT', expectedVersion: 0, actualVersion: 1 },
      );
    });

    it('that matches lets the command through', async () => {
      const actual = await version('group-g');
      const joined = await ok(server, 'joinGroup', {
        groupId: 'g',
        organizationId: 'e',
        position: 'CORE',
        expectedVersion: actual,
      });
      expect(joined).toMatchObject({ streamId: 'group-g', version: actual + 1 });
      await ok(server, 'leaveGroup', {
        groupId: 'g',
        organizationId: 'e',
        expectedVersion: actual + 1,
      });
    });
  });

  describe('racing writers', () => {
    it('20 identical joins at once: one succeeds, nineteen are ALREADY_MEMBER', async () => {
      await ok(server, 'registerOrganization', { id: 'racer', name: 'Racer' });
      await ok(server, 'foundGroup', { id: 'arena', name: 'Arena' });
      const before = await logLength();
      const versionBefore = await version('group-arena');
      const responses = await Promise.all(
        Array.from({ length: 20 }, () =>
          send(server, 'joinGroup', {
            groupId: 'arena',
            organizationId: 'racer',
            position: 'RING',
          }),
        ),
      );
      const succeeded = responses.filter((response) => response.errors === undefined);
      const failed = responses.filter((response) => response.errors !== undefined);
      expect(succeeded).toHaveLength(1);
      expect(succeeded[0].data?.joinGroup.version).toBe(versionBefore + 1);
      expect(failed.map((response) => response.errors?.[0]?.extensions)).toEqual(
        Array.from({ length: 19 }, () =>
          expect.objectContaining({ code: 'RULE_VIOLATION', rule: 'ALREADY_MEMBER' }),
        ),
      );
      expect(await version('group-arena')).toBe(versionBefore + 1);
      expect(await logLength()).toBe(before + 1);
    });

    it('20 different joins at once without expectedVersion: all decided again and recorded', async () => {
      await ok(server, 'foundGroup', { id: 'crowd', name: 'Crowd' });
      const ids = Array.from({ length: 20 }, (_, index) => `crowd-${index}`);
      for (const id of ids) await ok(server, 'registerOrganization', { id, name: id });
      const responses = await Promise.all(
        ids.map((id) =>
          send(server, 'joinGroup', { groupId: 'crowd', organizationId: id, position: 'CORE' }),
        ),
      );
      expect(responses.map((response) => response.errors ?? [])).toEqual(ids.map(() => []));
      const versions = responses
        .map((response) => response.data?.joinGroup.version)
        .sort((x, y) => (x ?? 0) - (y ?? 0));
      expect(versions).toEqual(ids.map((_, index) => index + 2));
      expect(await version('group-crowd')).toBe(21);
    });
  });

  describe('effectiveAt', () => {
    it('more than 5 minutes ahead is EFFECTIVE_TIME_IN_FUTURE', async () => {
      await refused(
        'registerOrganization',
        { id: 'future', name: 'Future', effectiveAt: minutesFromNow(10) },
        { code: 'RULE_VIOLATION', rule: 'EFFECTIVE_TIME_IN_FUTURE' },
      );
      await refused(
        'joinGroup',
        { groupId: 'g', organizationId: 'c', position: 'CORE', effectiveAt: minutesFromNow(6) },
        { code: 'RULE_VIOLATION', rule: 'EFFECTIVE_TIME_IN_FUTURE' },
      );
    });

    it('up to 5 minutes ahead (clock skew) is recorded as recordedAt', async () => {
      const skewed = await ok(server, 'registerOrganization', {
        id: 'skewed',
        name: 'Skewed',
        effectiveAt: minutesFromNow(2),
      });
      const [event] = await streamHistory(server, skewed.streamId);
      expect(event.effectiveAt).toBe(event.recordedAt);
      const organization = await query(server, '{ organization(id: "skewed") { registeredAt } }');
      expect(organization.organization.registeredAt).toBe(event.recordedAt);
    });

    it('before the latest effective time in the stream is EFFECTIVE_TIME_BEFORE_HISTORY', async () => {
      await ok(server, 'foundGroup', {
        id: 'timeline',
        name: 'Timeline',
        effectiveAt: daysFromNow(-10),
      });
      const latest = daysFromNow(-2);
      await ok(server, 'joinGroup', {
        groupId: 'timeline',
        organizationId: 'a',
        position: 'CORE',
        effectiveAt: latest,
      });
      await refused(
        'joinGroup',
        {
          groupId: 'timeline',
          organizationId: 'b',
          position: 'RING',
          effectiveAt: daysFromNow(-5),
        },
        { code: 'RULE_VIOLATION', rule: 'EFFECTIVE_TIME_BEFORE_HISTORY' },
      );
      // The same moment as the latest does not precede it.
      await ok(server, 'joinGroup', {
        groupId: 'timeline',
        organizationId: 'b',
        position: 'RING',
        effectiveAt: latest,
      });
    });

    it('before the registration of a referenced organisation is EFFECTIVE_TIME_BEFORE_HISTORY', async () => {
      await ok(server, 'registerOrganization', {
        id: 'newbie',
        name: 'Newbie',
        effectiveAt: daysFromNow(-3),
      });
      await ok(server, 'foundGroup', { id: 'old', name: 'Old', effectiveAt: daysFromNow(-10) });
      await refused(
        'joinGroup',
        {
          groupId: 'old',
          organizationId: 'newbie',
          position: 'CORE',
          effectiveAt: daysFromNow(-5),
        },
        { code: 'RULE_VIOLATION', rule: 'EFFECTIVE_TIME_BEFORE_HISTORY' },
      );
      await refused(
        'formPartnership',
        {
          name: 'Early',
          partyIds: ['a', 'newbie'],
          intendedEndAt: P_END,
          effectiveAt: daysFromNow(-5),
        },
        { code: 'RULE_VIOLATION', rule: 'EFFECTIVE_TIME_BEFORE_HISTORY' },
      );
      await ok(server, 'joinGroup', {
        groupId: 'old',
        organizationId: 'newbie',
        position: 'CORE',
        effectiveAt: daysFromNow(-2),
      });
    });

    it('before the founding of a referenced group is EFFECTIVE_TIME_BEFORE_HISTORY', async () => {
      await ok(server, 'foundGroup', { id: 'young', name: 'Young', effectiveAt: daysFromNow(-1) });
      await refused(
        'joinGroup',
        { groupId: 'young', organizationId: 'a', position: 'CORE', effectiveAt: daysFromNow(-2) },
        { code: 'RULE_VIOLATION', rule: 'EFFECTIVE_TIME_BEFORE_HISTORY' },
      );
    });
  });

  describe('every rule reaches the client by name', () => {
    const past = daysFromNow(-1);
    const cases: Array<[string, MutationName, Input]> = [
      ['ORGANIZATION_EXISTS', 'registerOrganization', { id: 'a', name: 'A again' }],
      ['GROUP_EXISTS', 'foundGroup', { id: 'g', name: 'G again' }],
      ['GROUP_DISSOLVED', 'joinGroup', { groupId: 'dead', organizationId: 'c', position: 'CORE' }],
      ['GROUP_DISSOLVED', 'dissolveGroup', { groupId: 'dead' }],
      [
        'GROUP_DISSOLVED',
        'changePosition',
        { groupId: 'dead', organizationId: 'a', position: 'RING' },
      ],
      ['GROUP_DISSOLVED', 'leaveGroup', { groupId: 'dead', organizationId: 'a' }],
      [
        'GROUP_DISSOLVED',
        'formPartnership',
        { name: 'N', partyIds: ['a', 'b'], groupId: 'dead', intendedEndAt: P_END },
      ],
      ['ALREADY_MEMBER', 'joinGroup', { groupId: 'g', organizationId: 'a', position: 'RING' }],
      ['NOT_A_MEMBER', 'changePosition', { groupId: 'g', organizationId: 'c', position: 'CORE' }],
      ['NOT_A_MEMBER', 'leaveGroup', { groupId: 'g', organizationId: 'c' }],
      ['SAME_POSITION', 'changePosition', { groupId: 'g', organizationId: 'a', position: 'CORE' }],
      [
        'PARTNERSHIP_EXISTS',
        'formPartnership',
        { id: 'p', name: 'P', partyIds: ['a', 'b'], intendedEndAt: P_END },
      ],
      ['TOO_FEW_PARTIES', 'formPartnership', { name: 'N', partyIds: ['a'], intendedEndAt: P_END }],
      [
        'DUPLICATE_PARTY',
        'formPartnership',
        { name: 'N', partyIds: ['a', 'b', 'a'], intendedEndAt: P_END },
      ],
      [
        'PARTNERSHIP_MUST_BE_FINITE',
        'formPartnership',
        { name: 'N', partyIds: ['a', 'b'], intendedEndAt: past },
      ],
      [
        'PARTNERSHIP_MUST_BE_FINITE',
        'formPartnership',
        { name: 'N', partyIds: ['a', 'b'], intendedEndAt: past, effectiveAt: past },
      ],
      [
        'PARTY_NOT_IN_GROUP',
        'formPartnership',
        { name: 'N', partyIds: ['a', 'c'], groupId: 'g', intendedEndAt: P_END },
      ],
      ['PARTNERSHIP_ENDED', 'agreeArrangement', { partnershipId: 'done', title: 'T', terms: 'T' }],
      [
        'PARTNERSHIP_ENDED',
        'extendPartnership',
        { partnershipId: 'done', intendedEndAt: daysFromNow(300) },
      ],
      ['PARTNERSHIP_ENDED', 'endPartnership', { partnershipId: 'done', reason: 'OTHER' }],
      [
        'ARRANGEMENT_EXISTS',
        'agreeArrangement',
        { partnershipId: 'p', arrangementId: 'x', title: 'T', terms: 'T' },
      ],
      [
        'ARRANGEMENT_OUTLIVES_PARTNERSHIP',
        'agreeArrangement',
        { partnershipId: 'p', title: 'T', terms: 'T', validUntil: daysFromNow(200) },
      ],
      ['EXTENSION_NOT_LATER', 'extendPartnership', { partnershipId: 'p', intendedEndAt: P_END }],
      [
        'EXTENSION_NOT_LATER',
        'extendPartnership',
        { partnershipId: 'p', intendedEndAt: daysFromNow(50) },
      ],
    ];

    it.each(cases)('%s from %s', async (rule, mutation, input) => {
      await refused(mutation, input, { code: 'RULE_VIOLATION', rule });
    });

    it('accepts an arrangement valid exactly until the intended end', async () => {
      const agreed = await ok(server, 'agreeArrangement', {
        partnershipId: 'p',
        title: 'Until the end',
        terms: 'T',
        validUntil: P_END,
      });
      expect(agreed.arrangementId).not.toBeNull();
    });
  });

  describe('NOT_FOUND', () => {
    const cases: Array<[string, MutationName, Input]> = [
      [
        'organisation to assess',
        'assessCapability',
        { organizationId: 'ghost', ambition: 3, realized: 3 },
      ],
      ['group to join', 'joinGroup', { groupId: 'ghost', organizationId: 'a', position: 'CORE' }],
      [
        'organisation joining',
        'joinGroup',
        { groupId: 'g', organizationId: 'ghost', position: 'CORE' },
      ],
      [
        'group of a position change',
        'changePosition',
        { groupId: 'ghost', organizationId: 'a', position: 'RING' },
      ],
      [
        'organisation of a position change',
        'changePosition',
        { groupId: 'g', organizationId: 'ghost', position: 'RING' },
      ],
      ['organisation leaving', 'leaveGroup', { groupId: 'g', organizationId: 'ghost' }],
      ['group to leave', 'leaveGroup', { groupId: 'ghost', organizationId: 'a' }],
      ['group to dissolve', 'dissolveGroup', { groupId: 'ghost' }],
      ['party', 'formPartnership', { name: 'N', partyIds: ['a', 'ghost'], intendedEndAt: P_END }],
      [
        'group of a partnership',
        'formPartnership',
        { name: 'N', partyIds: ['a', 'b'], groupId: 'ghost', intendedEndAt: P_END },
      ],
      [
        'partnership to agree in',
        'agreeArrangement',
        { partnershipId: 'ghost', title: 'T', terms: 'T' },
      ],
      [
        'partnership to extend',
        'extendPartnership',
        { partnershipId: 'ghost', intendedEndAt: P_END },
      ],
      ['partnership to end', 'endPartnership', { partnershipId: 'ghost', reason: 'OTHER' }],
    ];

    it.each(cases)('for a missing %s', async (_what, mutation, input) => {
      await refused(mutation, input, { code: 'NOT_FOUND' });
    });
  });

  describe('the order of checks: the first failure wins', () => {
    it('(1) input shape before (2) commandId', async () => {
      await ok(server, 'registerOrganization', {
        id: 'ordered',
        name: 'Ordered',
        commandId: 'cmd-ordered',
      });
      await refused(
        'registerOrganization',
        { id: 'ordered', name: '   ', commandId: 'cmd-ordered' },
        { code: 'BAD_USER_INPUT', field: 'name' },
      );
    });

    it('(2) commandId before (3) existence', async () => {
      await refused(
        'joinGroup',
        { groupId: 'ghost', organizationId: 'ghost', position: 'CORE', commandId: 'cmd-ordered' },
        { code: 'RULE_VIOLATION', rule: 'COMMAND_ID_REUSED' },
      );
    });

    it('(3) existence before (4) expectedVersion', async () => {
      await refused(
        'joinGroup',
        { groupId: 'ghost', organizationId: 'a', position: 'CORE', expectedVersion: 99 },
        { code: 'NOT_FOUND' },
      );
      await refused(
        'joinGroup',
        { groupId: 'g', organizationId: 'ghost', position: 'CORE', expectedVersion: 99 },
        { code: 'NOT_FOUND' },
      );
      await refused(
        'extendPartnership',
        { partnershipId: 'ghost', intendedEndAt: P_END, expectedVersion: 99 },
        { code: 'NOT_FOUND' },
      );
    });

    it('(3) existence before (6) the rules', async () => {
      await refused(
        'formPartnership',
        { id: 'p', name: 'P', partyIds: ['a', 'ghost'], intendedEndAt: P_END },
        { code: 'NOT_FOUND' },
      );
      await refused(
        'joinGroup',
        { groupId: 'dead', organizationId: 'ghost', position: 'CORE' },
        { code: 'NOT_FOUND' },
      );
    });

    it('(4) expectedVersion before (5) effectiveAt', async () => {
      await refused(
        'joinGroup',
        {
          groupId: 'g',
          organizationId: 'c',
          position: 'CORE',
          expectedVersion: 99,
          effectiveAt: minutesFromNow(60),
        },
        { code: 'CONCURRENCY_CONFLICT', expectedVersion: 99 },
      );
    });

    it('(5) effectiveAt before (6) the rules', async () => {
      await refused(
        'joinGroup',
        { groupId: 'g', organizationId: 'a', position: 'RING', effectiveAt: minutesFromNow(60) },
        { code: 'RULE_VIOLATION', rule: 'EFFECTIVE_TIME_IN_FUTURE' },
      );
      await refused(
        'changePosition',
        { groupId: 'g', organizationId: 'a', position: 'CORE', effectiveAt: daysFromNow(-200) },
        { code: 'RULE_VIOLATION', rule: 'EFFECTIVE_TIME_BEFORE_HISTORY' },
      );
      await refused(
        'registerOrganization',
        { id: 'a', name: 'A', effectiveAt: minutesFromNow(60) },
        { code: 'RULE_VIOLATION', rule: 'EFFECTIVE_TIME_IN_FUTURE' },
      );
    });

    it('(6) the rules in the order the table lists them', async () => {
      const past = daysFromNow(-1);
      await refused(
        'formPartnership',
        { id: 'p', name: 'P', partyIds: ['a'], intendedEndAt: past },
        { code: 'RULE_VIOLATION', rule: 'PARTNERSHIP_EXISTS' },
      );
      await refused(
        'formPartnership',
        { name: 'N', partyIds: ['a', 'b', 'a'], intendedEndAt: past },
        { code: 'RULE_VIOLATION', rule: 'DUPLICATE_PARTY' },
      );
      await refused(
        'formPartnership',
        { name: 'N', partyIds: ['a', 'c'], groupId: 'g', intendedEndAt: past },
        { code: 'RULE_VIOLATION', rule: 'PARTNERSHIP_MUST_BE_FINITE' },
      );
      await refused(
        'agreeArrangement',
        {
          partnershipId: 'done',
          arrangementId: 'x-done',
          title: 'T',
          terms: 'T',
          validUntil: daysFromNow(900),
        },
        { code: 'RULE_VIOLATION', rule: 'PARTNERSHIP_ENDED' },
      );
      await refused(
        'agreeArrangement',
        {
          partnershipId: 'p',
          arrangementId: 'x',
          title: 'T',
          terms: 'T',
          validUntil: daysFromNow(900),
        },
        { code: 'RULE_VIOLATION', rule: 'ARRANGEMENT_EXISTS' },
      );
      await refused(
        'extendPartnership',
        { partnershipId: 'done', intendedEndAt: daysFromNow(1) },
        { code: 'RULE_VIOLATION', rule: 'PARTNERSHIP_ENDED' },
      );
    });
  });
});
