import { join } from 'node:path';
import {
  Input,
  MutationName,
  clockPasses,
  daysFromNow,
  eventLog,
  expectRefused,
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

/**
 * The second version of the domain over HTTP (docs/domain.md): commitments, interventions,
 * relations, and the rules that are judged at a command's effectiveAt.
 */

const LONG_AGO = daysFromNow(-400);
const END = daysFromNow(300);

describe('the domain, second version, over HTTP', () => {
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

  beforeAll(async () => {
    server = await startServer(join(directory.path, 'events.db'));
    for (const id of ['a', 'b', 'c', 'd']) {
      await ok(server, 'registerOrganization', {
        id,
        name: id.toUpperCase(),
        effectiveAt: LONG_AGO,
      });
    }
    await ok(server, 'foundGroup', { id: 'g', name: 'G', effectiveAt: LONG_AGO });
    await ok(server, 'formPartnership', {
      id: 'p',
      name: 'P',
      partyIds: ['a', 'b'],
      intendedEndAt: END,
      effectiveAt: daysFromNow(-300),
    });
  });

  afterAll(async () => {
    await server?.close();
    directory.remove();
  });

  describe('commitments', () => {
    it('are recorded in ArrangementAgreed and served with each organisation', async () => {
      const result = await ok(server, 'agreeArrangement', {
        partnershipId: 'p',
        arrangementId: 'intake',
        title: 'Shared intake',
        terms: 'One front door.',
        commitments: [
          { organizationId: 'b', commitment: ' Hosts the front desk ' },
          { organizationId: 'a', commitment: 'Triages every request within a day' },
        ],
      });
      const [event] = (await streamHistory(server, 'partnership-p')).slice(-1);
      expect(event).toMatchObject({ id: result.eventIds[0], type: 'ArrangementAgreed' });
      expect(event.data['commitments']).toEqual([
        { organizationId: 'b', commitment: 'Hosts the front desk' },
        { organizationId: 'a', commitment: 'Triages every request within a day' },
      ]);
      const data = await query(
        server,
        `{ partnership(id: "p") { arrangements { id commitments { organization { id name } commitment } } } }`,
      );
      expect(data.partnership.arrangements).toEqual([
        {
          id: 'intake',
          commitments: [
            { organization: { id: 'b', name: 'B' }, commitment: 'Hosts the front desk' },
            {
              organization: { id: 'a', name: 'A' },
              commitment: 'Triages every request within a day',
            },
          ],
        },
      ]);
    });

    it('are an empty list, stored as [], when none are given', async () => {
      await ok(server, 'agreeArrangement', {
        partnershipId: 'p',
        arrangementId: 'plain',
        title: 'Plain',
        terms: 'No parts named.',
      });
      const [event] = (await streamHistory(server, 'partnership-p')).slice(-1);
      expect(event.data['commitments']).toEqual([]);
    });

    it('refuse an organisation that is not a party (NOT_A_PARTY), recording nothing', async () => {
      await refused(
        'agreeArrangement',
        {
          partnershipId: 'p',
          title: 'T',
          terms: 'T',
          commitments: [{ organizationId: 'c', commitment: 'Watches' }],
        },
        { code: 'RULE_VIOLATION', rule: 'NOT_A_PARTY' },
      );
    });

    it('refuse a party named twice (DUPLICATE_PARTY), recording nothing', async () => {
      await refused(
        'agreeArrangement',
        {
          partnershipId: 'p',
          title: 'T',
          terms: 'T',
          commitments: [
            { organizationId: 'a', commitment: 'One' },
            { organizationId: 'a', commitment: 'Two' },
          ],
        },
        { code: 'RULE_VIOLATION', rule: 'DUPLICATE_PARTY' },
      );
    });

    it.each([
      ['commitments[0].commitment', [{ organizationId: 'a', commitment: 'x'.repeat(2_001) }]],
      ['commitments[0].commitment', [{ organizationId: 'a', commitment: '   ' }]],
      ['commitments[0].organizationId', [{ organizationId: 'a/b', commitment: 'x' }]],
    ])('refuse a malformed %s as BAD_USER_INPUT naming it', async (field, commitments) => {
      await refused(
        'agreeArrangement',
        { partnershipId: 'p', title: 'T', terms: 'T', commitments },
        { code: 'BAD_USER_INPUT', field },
      );
    });
  });

  describe('interventions', () => {
    const ORG_VIEW = `query ($asOf: DateTime, $knownAt: DateTime) {
      network(asOf: $asOf, knownAt: $knownAt) {
        organization(id: "c") {
          interventions {
            id title aim at
            capabilityBefore { ambition realized assessedAt }
            capabilityAfter { ambition realized assessedAt }
          }
        }
      }
    }`;

    it('are recorded for an organisation, a group or a partnership, with a generated id', async () => {
      const onGroup = await ok(server, 'recordIntervention', {
        groupId: 'g',
        title: 'Kick-off',
        aim: 'Agree who is in the core',
      });
      expect(onGroup.streamId).toBe('group-g');
      expect(onGroup.interventionId).toMatch(/^[0-9a-f-]{36}$/);
      const onPartnership = await ok(server, 'recordIntervention', {
        partnershipId: 'p',
        interventionId: 'retro',
        title: 'Retrospective',
      });
      expect(onPartnership).toMatchObject({ streamId: 'partnership-p', interventionId: 'retro' });
      const [event] = (await streamHistory(server, 'partnership-p')).slice(-1);
      expect(event).toMatchObject({
        type: 'InterventionRecorded',
        data: {
          interventionId: 'retro',
          organizationId: null,
          groupId: null,
          partnershipId: 'p',
          title: 'Retrospective',
          aim: null,
        },
      });
      const data = await query(
        server,
        `{ group(id: "g") { interventions { id title aim capabilityBefore { gap } } }
           partnership(id: "p") { interventions { id title } } }`,
      );
      expect(data.group.interventions).toEqual([
        {
          id: onGroup.interventionId,
          title: 'Kick-off',
          aim: 'Agree who is in the core',
          capabilityBefore: null,
        },
      ]);
      expect(data.partnership.interventions).toEqual([{ id: 'retro', title: 'Retrospective' }]);
    });

    it('returns the first result for a repeated commandId, generated id included', async () => {
      const input = { organizationId: 'd', title: 'Coaching', commandId: 'cmd-coach-d' };
      const first = await ok(server, 'recordIntervention', input);
      const before = await logLength();
      expect(await ok(server, 'recordIntervention', input)).toEqual(first);
      expect(await logLength()).toBe(before);
    });

    it('show the capability before and after, at the view’s times', async () => {
      await ok(server, 'assessCapability', {
        organizationId: 'c',
        ambition: 5,
        realized: 2,
        effectiveAt: daysFromNow(-60),
      });
      const coaching = await ok(server, 'recordIntervention', {
        organizationId: 'c',
        interventionId: 'coaching',
        title: 'Coaching',
        effectiveAt: daysFromNow(-40),
      });
      const [recorded] = (await streamHistory(server, 'organization-c')).slice(-1);
      await clockPasses(recorded.recordedAt);
      const knownBefore = new Date().toISOString();
      await clockPasses(knownBefore);
      await ok(server, 'assessCapability', {
        organizationId: 'c',
        ambition: 5,
        realized: 4,
        effectiveAt: daysFromNow(-20),
      });
      await ok(server, 'recordIntervention', {
        organizationId: 'c',
        interventionId: 'follow-up',
        title: 'Follow-up',
        effectiveAt: daysFromNow(-10),
      });
      expect(coaching.interventionId).toBe('coaching');

      const now = (await query(server, ORG_VIEW)).network.organization.interventions;
      expect(now).toEqual([
        expect.objectContaining({
          id: 'coaching',
          capabilityBefore: expect.objectContaining({ ambition: 5, realized: 2 }),
          capabilityAfter: expect.objectContaining({ ambition: 5, realized: 4 }),
        }),
        expect.objectContaining({
          id: 'follow-up',
          capabilityBefore: expect.objectContaining({ ambition: 5, realized: 4 }),
          capabilityAfter: null,
        }),
      ]);

      // What was known before the second assessment and the follow-up were recorded.
      const then = (await query(server, ORG_VIEW, { knownAt: knownBefore })).network.organization
        .interventions;
      expect(then).toEqual([
        expect.objectContaining({
          id: 'coaching',
          capabilityBefore: expect.objectContaining({ realized: 2 }),
          capabilityAfter: null,
        }),
      ]);

      // As things stood 30 days ago: the later assessment had not yet taken effect.
      const asOf = (await query(server, ORG_VIEW, { asOf: daysFromNow(-30) })).network.organization
        .interventions;
      expect(asOf).toEqual([expect.objectContaining({ id: 'coaching', capabilityAfter: null })]);
    });

    it('refuse an id already recorded for the target (INTERVENTION_EXISTS)', async () => {
      await refused(
        'recordIntervention',
        { organizationId: 'c', interventionId: 'coaching', title: 'Again' },
        { code: 'RULE_VIOLATION', rule: 'INTERVENTION_EXISTS' },
      );
    });

    it('refuse a dissolved group and an ended partnership', async () => {
      await ok(server, 'foundGroup', { id: 'gone', name: 'Gone' });
      await ok(server, 'dissolveGroup', { groupId: 'gone' });
      await refused(
        'recordIntervention',
        { groupId: 'gone', title: 'Too late' },
        { code: 'RULE_VIOLATION', rule: 'GROUP_DISSOLVED' },
      );
      await ok(server, 'formPartnership', {
        id: 'over',
        name: 'Over',
        partyIds: ['a', 'c'],
        intendedEndAt: END,
      });
      await ok(server, 'endPartnership', { partnershipId: 'over', reason: 'COMPLETED' });
      await refused(
        'recordIntervention',
        { partnershipId: 'over', title: 'Too late' },
        { code: 'RULE_VIOLATION', rule: 'PARTNERSHIP_ENDED' },
      );
    });

    it('refuse an unknown target (NOT_FOUND) and a stale expectedVersion', async () => {
      await refused(
        'recordIntervention',
        { organizationId: 'nobody', title: 'T' },
        { code: 'NOT_FOUND' },
      );
      await refused(
        'recordIntervention',
        { groupId: 'g', title: 'T', expectedVersion: 0 },
        { code: 'CONCURRENCY_CONFLICT', expectedVersion: 0 },
      );
    });

    it.each([
      ['organizationId, groupId, partnershipId', { title: 'No target' }],
      ['organizationId, groupId', { organizationId: 'a', groupId: 'g', title: 'Two' }],
      [
        'organizationId, groupId, partnershipId',
        { organizationId: 'a', groupId: 'g', partnershipId: 'p', title: 'Three' },
      ],
      ['title', { organizationId: 'a', title: 't'.repeat(201) }],
      ['aim', { organizationId: 'a', title: 'T', aim: 'a'.repeat(2_001) }],
      ['interventionId', { organizationId: 'a', title: 'T', interventionId: 'no spaces' }],
      ['groupId', { groupId: 'g!', title: 'T' }],
    ])('refuse bad input as BAD_USER_INPUT naming %s', async (field, input) => {
      await refused('recordIntervention', input, { code: 'BAD_USER_INPUT', field });
    });
  });

  describe('rules that hold in time', () => {
    beforeAll(async () => {
      await ok(server, 'foundGroup', { id: 'river', name: 'River', effectiveAt: LONG_AGO });
      for (const [organizationId, days] of [
        ['a', -200],
        ['b', -200],
      ] as const) {
        await ok(server, 'joinGroup', {
          groupId: 'river',
          organizationId,
          position: 'CORE',
          effectiveAt: daysFromNow(days),
        });
      }
      await ok(server, 'leaveGroup', {
        groupId: 'river',
        organizationId: 'b',
        effectiveAt: daysFromNow(-100),
      });
      await ok(server, 'joinGroup', {
        groupId: 'river',
        organizationId: 'c',
        position: 'RING',
        effectiveAt: daysFromNow(-90),
      });
      await ok(server, 'dissolveGroup', { groupId: 'river', effectiveAt: daysFromNow(-50) });
    });

    const inRiver = (id: string, partyIds: string[], startDays: number) => ({
      id,
      name: id,
      partyIds,
      groupId: 'river',
      intendedEndAt: END,
      effectiveAt: daysFromNow(startDays),
    });

    it('forms a backdated partnership whose parties were members at its start', async () => {
      await ok(server, 'formPartnership', inRiver('then', ['a', 'b'], -150));
      const data = await query(
        server,
        `query ($asOf: DateTime) { network(asOf: $asOf) { group(id: "river") { partnerships { id } } } }`,
        { asOf: daysFromNow(-140) },
      );
      expect(data.network.group.partnerships).toEqual([{ id: 'then' }]);
    });

    it('refuses PARTY_NOT_IN_GROUP for a party that had left by the start', async () => {
      await refused('formPartnership', inRiver('left', ['a', 'b'], -80), {
        code: 'RULE_VIOLATION',
        rule: 'PARTY_NOT_IN_GROUP',
      });
    });

    it('refuses PARTY_NOT_IN_GROUP for a party that had not yet joined at the start', async () => {
      await refused('formPartnership', inRiver('early', ['a', 'c'], -95), {
        code: 'RULE_VIOLATION',
        rule: 'PARTY_NOT_IN_GROUP',
      });
    });

    it('refuses GROUP_DISSOLVED at or after the dissolution, not before it', async () => {
      await refused('formPartnership', inRiver('dissolved', ['a', 'c'], -40), {
        code: 'RULE_VIOLATION',
        rule: 'GROUP_DISSOLVED',
      });
      await ok(server, 'formPartnership', inRiver('before', ['a', 'c'], -60));
    });

    it('refuses ARRANGEMENT_ENDS_BEFORE_AGREED', async () => {
      await refused(
        'agreeArrangement',
        {
          partnershipId: 'p',
          title: 'T',
          terms: 'T',
          validUntil: daysFromNow(-1),
        },
        { code: 'RULE_VIOLATION', rule: 'ARRANGEMENT_ENDS_BEFORE_AGREED' },
      );
    });

    it('refuses EXTENSION_ALREADY_PASSED and NOT_YET_EXPIRED; accepts EXPIRED once overdue', async () => {
      await ok(server, 'formPartnership', {
        id: 'short',
        name: 'Short',
        partyIds: ['a', 'd'],
        intendedEndAt: daysFromNow(-30),
        effectiveAt: daysFromNow(-60),
      });
      await refused(
        'extendPartnership',
        { partnershipId: 'short', intendedEndAt: daysFromNow(-10) },
        { code: 'RULE_VIOLATION', rule: 'EXTENSION_ALREADY_PASSED' },
      );
      await refused(
        'endPartnership',
        { partnershipId: 'short', reason: 'EXPIRED', effectiveAt: daysFromNow(-35) },
        { code: 'RULE_VIOLATION', rule: 'NOT_YET_EXPIRED' },
      );
      await ok(server, 'endPartnership', {
        partnershipId: 'short',
        reason: 'EXPIRED',
        effectiveAt: daysFromNow(-30),
      });
    });
  });

  describe('relations', () => {
    it('lists shared partnerships and groups at asOf, by since then id', async () => {
      for (const id of ['r1', 'r2', 'r3']) {
        await ok(server, 'registerOrganization', { id, name: id, effectiveAt: LONG_AGO });
      }
      await ok(server, 'foundGroup', { id: 'rg', name: 'RG', effectiveAt: LONG_AGO });
      for (const organizationId of ['r3', 'r1', 'r2']) {
        await ok(server, 'joinGroup', {
          groupId: 'rg',
          organizationId,
          position: 'CORE',
          effectiveAt: daysFromNow(-100),
        });
      }
      await ok(server, 'formPartnership', {
        id: 'rp',
        name: 'RP',
        partyIds: ['r1', 'r2'],
        intendedEndAt: END,
        effectiveAt: daysFromNow(-200),
      });
      await ok(server, 'leaveGroup', { groupId: 'rg', organizationId: 'r2' });
      const RELATIONS = `query ($asOf: DateTime) { network(asOf: $asOf) { organization(id: "r1") {
        relations { organization { id } partnerships { id } groups { id } since }
      } } }`;
      const now = (await query(server, RELATIONS)).network.organization.relations;
      expect(now).toEqual([
        {
          organization: { id: 'r2' },
          partnerships: [{ id: 'rp' }],
          groups: [],
          since: expect.any(String),
        },
        {
          organization: { id: 'r3' },
          partnerships: [],
          groups: [{ id: 'rg' }],
          since: expect.any(String),
        },
      ]);
      expect(Date.parse(now[0].since)).toBeLessThan(Date.parse(now[1].since));
      const before = (await query(server, RELATIONS, { asOf: daysFromNow(-1) })).network
        .organization.relations;
      expect(before.map((relation: { groups: unknown[] }) => relation.groups)).toEqual([
        [{ id: 'rg' }],
        [{ id: 'rg' }],
      ]);
    });
  });
});
