import fc from 'fast-check';
import { Effective } from '@partnerships/domain/common/command';
import { GroupEvent, evolveGroup, initialGroupState } from '@partnerships/domain/group/group';
import {
  OrganizationEvent,
  evolveOrganization,
  initialOrganizationState,
} from '@partnerships/domain/organization/organization';
import {
  PartnershipEvent,
  evolvePartnership,
  initialPartnershipState,
} from '@partnerships/domain/partnership/partnership';
import { GroupFold, OrganizationFold, PartnershipFold } from './stream-fold';

// Few ids and few times, so that sequences rejoin, leave twice, leave without joining,
// dissolve with members and without, and repeat times: the cases where copying and
// folding in place could part.
const organizationId = fc.constantFrom('o1', 'o2', 'o3', 'o4');
const interventionId = fc.constantFrom('i1', 'i2', 'i3');
const position = fc.constantFrom('CORE' as const, 'RING' as const, 'FREE_SPACE' as const);
const effectiveAt = fc.integer({ min: 0, max: 40 }).map((day) => new Date(Date.UTC(2025, 0, day)));
const isoDate = effectiveAt.map((date) => date.toISOString());
const reason = fc.option(fc.constant('why'), { nil: null });
const intervention = interventionId.map((id) => ({
  type: 'InterventionRecorded' as const,
  data: {
    interventionId: id,
    organizationId: null,
    groupId: null,
    partnershipId: null,
    title: 't',
    aim: null,
  },
}));

const groupEvent: fc.Arbitrary<Omit<Effective<GroupEvent>, 'effectiveAt'>> = fc.oneof(
  fc.constant({
    type: 'GroupFounded' as const,
    data: { groupId: 'g', name: 'G', purpose: null },
  }),
  fc.record({ organizationId, position }).map((data) => ({
    type: 'OrganizationJoinedGroup' as const,
    data: { groupId: 'g', ...data },
  })),
  fc.record({ organizationId, position, previousPosition: position, reason }).map((data) => ({
    type: 'PositionChanged' as const,
    data: { groupId: 'g', ...data },
  })),
  fc.record({ organizationId, reason }).map((data) => ({
    type: 'OrganizationLeftGroup' as const,
    data: { groupId: 'g', ...data },
  })),
  reason.map((why) => ({ type: 'GroupDissolved' as const, data: { groupId: 'g', reason: why } })),
  intervention,
);

const organizationEvent: fc.Arbitrary<Omit<Effective<OrganizationEvent>, 'effectiveAt'>> = fc.oneof(
  fc.constant({
    type: 'OrganizationRegistered' as const,
    data: { organizationId: 'o', name: 'O' },
  }),
  fc.record({ ambition: fc.integer({ min: 1, max: 5 }) }).map(({ ambition }) => ({
    type: 'CapabilityAssessed' as const,
    data: { organizationId: 'o', ambition, realized: 1, notes: null },
  })),
  intervention,
);

const partnershipEvent: fc.Arbitrary<Omit<Effective<PartnershipEvent>, 'effectiveAt'>> = fc.oneof(
  fc
    .record({ partyIds: fc.uniqueArray(organizationId, { maxLength: 3 }), end: isoDate })
    .map(({ partyIds, end }) => ({
      type: 'PartnershipFormed' as const,
      data: {
        partnershipId: 'p',
        name: 'P',
        purpose: null,
        partyIds,
        groupId: null,
        intendedEndAt: end,
      },
    })),
  fc.constantFrom('a1', 'a2', 'a3').map((arrangementId) => ({
    type: 'ArrangementAgreed' as const,
    data: {
      partnershipId: 'p',
      arrangementId,
      title: 't',
      terms: 't',
      validUntil: null,
      commitments: [],
    },
  })),
  isoDate.map((end) => ({
    type: 'PartnershipExtended' as const,
    data: { partnershipId: 'p', intendedEndAt: end, previousIntendedEndAt: end },
  })),
  fc.constant({
    type: 'PartnershipEnded' as const,
    data: { partnershipId: 'p', reason: 'COMPLETED' as const, note: null },
  }),
  intervention,
);

function history<E>(event: fc.Arbitrary<E>): fc.Arbitrary<(E & { effectiveAt: Date })[]> {
  return fc.array(
    fc.tuple(event, effectiveAt).map(([e, at]) => ({ ...e, effectiveAt: at })),
    { maxLength: 40 },
  );
}

describe('stream folds in place', () => {
  it('reach the state evolveGroup reaches, after every event', () => {
    fc.assert(
      fc.property(history(groupEvent), (events) => {
        const fold = new GroupFold();
        let state = initialGroupState;
        for (const event of events) {
          fold.apply(event as Effective<GroupEvent>);
          state = evolveGroup(state, event as Effective<GroupEvent>);
          expect(fold.state).toStrictEqual(state);
        }
      }),
      { seed: 1011, numRuns: 400 },
    );
  });

  it('reach the state evolveOrganization reaches, after every event', () => {
    fc.assert(
      fc.property(history(organizationEvent), (events) => {
        const fold = new OrganizationFold();
        let state = initialOrganizationState;
        for (const event of events) {
          fold.apply(event as Effective<OrganizationEvent>);
          state = evolveOrganization(state, event as Effective<OrganizationEvent>);
          expect(fold.state).toStrictEqual(state);
        }
      }),
      { seed: 1012, numRuns: 300 },
    );
  });

  it('reach the state evolvePartnership reaches, after every event', () => {
    fc.assert(
      fc.property(history(partnershipEvent), (events) => {
        const fold = new PartnershipFold();
        let state = initialPartnershipState;
        for (const event of events) {
          fold.apply(event as Effective<PartnershipEvent>);
          state = evolvePartnership(state, event as Effective<PartnershipEvent>);
          expect(fold.state).toStrictEqual(state);
        }
      }),
      { seed: 1013, numRuns: 300 },
    );
  });

  it('never share a collection with the initial states (a fold cannot change them)', () => {
    const fold = new GroupFold();
    fold.apply({
      type: 'OrganizationJoinedGroup',
      data: { groupId: 'g', organizationId: 'o1', position: 'CORE' },
      effectiveAt: new Date(0),
    });
    expect(initialGroupState.members.size).toBe(0);
    expect(initialGroupState.periods.size).toBe(0);
  });
});
