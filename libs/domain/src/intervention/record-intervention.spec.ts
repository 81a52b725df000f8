import {
  MINUTE,
  NOW,
  at,
  dissolved,
  ended,
  expectBadInput,
  expectConflict,
  expectNotFound,
  expectRule,
  formed,
  founded,
  given,
  intervention,
  plus,
  registered,
} from '../common/decider-spec-helpers';
import { Effective } from '../common/command';
import { DomainEvent, StreamStates, decideCommand } from '../commands';
import { evolveGroup, initialGroupState } from '../group/group';
import { evolveOrganization, initialOrganizationState } from '../organization/organization';
import { evolvePartnership, initialPartnershipState } from '../partnership/partnership';
import { RecordInterventionInput, parseRecordIntervention } from './record-intervention';

const REGISTERED_AT = at('2026-01-10T00:00:00Z');
const COACHED_AT = at('2026-03-01T00:00:00Z');

/** Every stream the decision may read, given as events per stream id. */
function world(streams: Record<string, readonly Effective<DomainEvent>[]>): StreamStates {
  const of = (id: string) => streams[id] ?? [];
  return {
    organization: (id) =>
      given(evolveOrganization, initialOrganizationState, ...(of(`organization-${id}`) as never[])),
    group: (id) => given(evolveGroup, initialGroupState, ...(of(`group-${id}`) as never[])),
    partnership: (id) =>
      given(evolvePartnership, initialPartnershipState, ...(of(`partnership-${id}`) as never[])),
  };
}

const record = (input: Partial<RecordInterventionInput>, states: StreamStates) =>
  decideCommand(
    parseRecordIntervention({ interventionId: 'i2', title: 'Coaching', ...input }),
    states,
    NOW,
  );

const acme = world({
  'organization-acme': [
    registered('acme', REGISTERED_AT),
    intervention({ organizationId: 'acme' }, 'i1', COACHED_AT),
  ],
});

describe('RecordIntervention', () => {
  describe('given organisation acme with intervention i1', () => {
    it('then InterventionRecorded in its stream, naming it as the target', () => {
      const decision = record(
        { organizationId: 'acme', title: ' Peer coaching ', aim: ' Close the gap ' },
        acme,
      );
      expect(decision.events).toStrictEqual([
        {
          type: 'InterventionRecorded',
          data: {
            interventionId: 'i2',
            organizationId: 'acme',
            groupId: null,
            partnershipId: null,
            title: 'Peer coaching',
            aim: 'Close the gap',
          },
        },
      ]);
      expect(decision.effectiveAt).toBeUndefined();
    });

    it('stores a blank aim as null', () => {
      expect(record({ organizationId: 'acme', aim: '  ' }, acme).events[0]?.data).toMatchObject({
        aim: null,
      });
    });

    it('then INTERVENTION_EXISTS for i1 again', () => {
      expectRule(
        () => record({ organizationId: 'acme', interventionId: 'i1' }, acme),
        'INTERVENTION_EXISTS',
      );
    });

    it('then CONCURRENCY_CONFLICT with a stale expectedVersion, before INTERVENTION_EXISTS', () => {
      expect(record({ organizationId: 'acme', expectedVersion: 2 }, acme).events).toHaveLength(1);
      expectConflict(
        () => record({ organizationId: 'acme', interventionId: 'i1', expectedVersion: 1 }, acme),
        1,
        2,
      );
    });

    it('allows backdating to the latest effective time, not before it', () => {
      expect(record({ organizationId: 'acme', effectiveAt: COACHED_AT }, acme).effectiveAt).toEqual(
        COACHED_AT,
      );
      expectRule(
        () => record({ organizationId: 'acme', effectiveAt: plus(COACHED_AT, -1) }, acme),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
      expectRule(
        () => record({ organizationId: 'acme', effectiveAt: plus(NOW, 6 * MINUTE) }, acme),
        'EFFECTIVE_TIME_IN_FUTURE',
      );
    });
  });

  describe('given no events', () => {
    it('then NOT_FOUND for the target, whatever its kind', () => {
      const empty = world({});
      expectNotFound(() => record({ organizationId: 'acme' }, empty), 'organization', 'acme');
      expectNotFound(() => record({ groupId: 'g1' }, empty), 'group', 'g1');
      expectNotFound(() => record({ partnershipId: 'p1' }, empty), 'partnership', 'p1');
    });
  });

  describe('given group g1', () => {
    const open = world({ 'group-g1': [founded('g1', REGISTERED_AT)] });

    it('then InterventionRecorded naming the group', () => {
      expect(record({ groupId: 'g1' }, open).events[0]?.data).toMatchObject({
        interventionId: 'i2',
        organizationId: null,
        groupId: 'g1',
        partnershipId: null,
      });
    });

    it('then GROUP_DISSOLVED once it is dissolved, after INTERVENTION_EXISTS', () => {
      const gone = world({
        'group-g1': [
          founded('g1', REGISTERED_AT),
          intervention({ groupId: 'g1' }, 'i1', COACHED_AT),
          dissolved('g1', at('2026-04-01T00:00:00Z')),
        ],
      });
      expectRule(() => record({ groupId: 'g1' }, gone), 'GROUP_DISSOLVED');
      expectRule(
        () => record({ groupId: 'g1', interventionId: 'i1' }, gone),
        'INTERVENTION_EXISTS',
      );
    });
  });

  describe('given partnership p1', () => {
    const running = world({
      'partnership-p1': [formed('p1', REGISTERED_AT, at('2027-01-01T00:00:00Z'))],
    });

    it('then InterventionRecorded naming the partnership', () => {
      expect(record({ partnershipId: 'p1' }, running).events[0]?.data).toMatchObject({
        organizationId: null,
        groupId: null,
        partnershipId: 'p1',
      });
    });

    it('then PARTNERSHIP_ENDED once it has ended', () => {
      const over = world({
        'partnership-p1': [
          formed('p1', REGISTERED_AT, at('2027-01-01T00:00:00Z')),
          ended('p1', COACHED_AT),
        ],
      });
      expectRule(() => record({ partnershipId: 'p1' }, over), 'PARTNERSHIP_ENDED');
    });
  });

  describe('input', () => {
    const valid = { interventionId: 'i2', title: 'Coaching', organizationId: 'acme' };

    it('accepts a title of 200 and an aim of 2000 code points', () => {
      const command = parseRecordIntervention({
        ...valid,
        title: 'é'.repeat(200),
        aim: '\u{1F91D}'.repeat(2_000),
      });
      expect(command.data.title).toHaveLength(200);
      expect(command.data.target).toEqual({ kind: 'organization', id: 'acme' });
    });

    it.each([
      ['organizationId, groupId, partnershipId', { interventionId: 'i2', title: 'T' }],
      [
        'organizationId, groupId, partnershipId',
        { ...valid, organizationId: null, groupId: null, partnershipId: null },
      ],
      ['organizationId, groupId', { ...valid, groupId: 'g1' }],
      ['organizationId, groupId, partnershipId', { ...valid, groupId: 'g1', partnershipId: 'p1' }],
      ['organizationId', { ...valid, organizationId: 'a b' }],
      ['groupId', { interventionId: 'i2', title: 'T', groupId: '' }],
      ['partnershipId', { interventionId: 'i2', title: 'T', partnershipId: 'p'.repeat(65) }],
      ['interventionId', { ...valid, interventionId: 'i/2' }],
      ['title', { ...valid, title: ' ' }],
      ['title', { ...valid, title: 't'.repeat(201) }],
      ['aim', { ...valid, aim: 'a'.repeat(2_001) }],
      ['aim', { ...valid, aim: 42 }],
      ['expectedVersion', { ...valid, expectedVersion: 1.5 }],
      ['effectiveAt', { ...valid, effectiveAt: new Date('soon') }],
    ])('refuses, naming %s', (field, input) => {
      expectBadInput(() => parseRecordIntervention(input as RecordInterventionInput), field);
    });
  });
});
