import {
  MINUTE,
  NOW,
  World,
  at,
  contextAt,
  dissolved,
  expectBadInput,
  expectNotFound,
  expectRule,
  formed,
  founded,
  given,
  joined,
  left,
  plus,
  registered,
} from '../common/decider-spec-helpers';
import { FormPartnershipInput, parseFormPartnership } from './form-partnership';
import {
  PartnershipState,
  decidePartnership,
  evolvePartnership,
  initialPartnershipState,
} from './partnership';

const INITECH_REGISTERED_AT = at('2026-05-01T09:00:00Z');
const LATE_GROUP_FOUNDED_AT = at('2026-05-15T09:00:00Z');
const END = at('2027-06-01T00:00:00Z');

const world: World = {
  organizations: {
    acme: [registered('acme', at('2026-01-10T09:00:00Z'))],
    globex: [registered('globex', at('2026-01-12T09:00:00Z'))],
    hooli: [registered('hooli', at('2026-01-15T09:00:00Z'))],
    initech: [registered('initech', INITECH_REGISTERED_AT)],
  },
  groups: {
    g1: [
      founded('g1', at('2026-02-01T09:00:00Z')),
      joined('g1', 'acme', 'CORE', at('2026-02-10T09:00:00Z')),
      joined('g1', 'globex', 'RING', at('2026-02-20T09:00:00Z')),
    ],
    gone: [
      founded('gone', at('2026-02-01T09:00:00Z')),
      joined('gone', 'acme', 'CORE', at('2026-02-10T09:00:00Z')),
      joined('gone', 'globex', 'CORE', at('2026-02-11T09:00:00Z')),
      dissolved('gone', at('2026-04-01T09:00:00Z')),
    ],
    late: [
      founded('late', LATE_GROUP_FOUNDED_AT),
      joined('late', 'acme', 'CORE', at('2026-05-16T09:00:00Z')),
      joined('late', 'globex', 'CORE', at('2026-05-16T10:00:00Z')),
    ],
  },
};

const formPartnership = (
  input: FormPartnershipInput,
  state: PartnershipState = initialPartnershipState,
  context = contextAt(NOW, world),
) => decidePartnership(parseFormPartnership(input), state, context);

const P1_FORMED_AT = at('2026-03-01T09:00:00Z');
const p1Formed = given(evolvePartnership, initialPartnershipState, formed('p1', P1_FORMED_AT, END));

const valid = {
  id: 'p1',
  name: 'Shared intake',
  partyIds: ['acme', 'globex'],
  intendedEndAt: END,
} as const;

describe('FormPartnership', () => {
  describe('given no events', () => {
    it('then PartnershipFormed with the intended end as an ISO string', () => {
      const decision = formPartnership({
        ...valid,
        name: ' Shared intake ',
        purpose: ' one door ',
      });

      expect(decision.events).toStrictEqual([
        {
          type: 'PartnershipFormed',
          data: {
            partnershipId: 'p1',
            name: 'Shared intake',
            purpose: 'one door',
            partyIds: ['acme', 'globex'],
            groupId: null,
            intendedEndAt: '2027-06-01T00:00:00.000Z',
          },
        },
      ]);
      expect(decision.effectiveAt).toBeUndefined();
    });

    it('stores a blank purpose as null', () => {
      expect(formPartnership({ ...valid, purpose: '   ' }).events[0]?.data).toMatchObject({
        purpose: null,
      });
    });

    it('forms within a group whose members all parties are', () => {
      const decision = formPartnership({ ...valid, groupId: 'g1' });

      expect(decision.events[0]).toMatchObject({
        type: 'PartnershipFormed',
        data: { groupId: 'g1', partyIds: ['acme', 'globex'] },
      });
    });

    it('accepts 50 parties', () => {
      const partyIds = Array.from({ length: 50 }, (_, index) => `org-${index}`);
      const many = contextAt(NOW, {
        organizations: Object.fromEntries(
          partyIds.map((id) => [id, [registered(id, at('2026-01-01T00:00:00Z'))]]),
        ),
      });

      const decision = formPartnership({ ...valid, partyIds }, initialPartnershipState, many);

      expect(decision.events[0]?.data).toMatchObject({ partyIds });
    });

    it.each([
      ['no parties', []],
      ['one party', ['acme']],
    ])('then TOO_FEW_PARTIES with %s', (_, partyIds) => {
      expectRule(() => formPartnership({ ...valid, partyIds }), 'TOO_FEW_PARTIES');
    });

    it('then DUPLICATE_PARTY when a party is named twice', () => {
      expectRule(
        () => formPartnership({ ...valid, partyIds: ['acme', 'globex', 'acme'] }),
        'DUPLICATE_PARTY',
      );
    });

    it('then NOT_FOUND for a party never registered', () => {
      expectNotFound(
        () => formPartnership({ ...valid, partyIds: ['acme', 'nobody'] }),
        'organization',
        'nobody',
      );
    });

    it('then NOT_FOUND for a group never founded', () => {
      expectNotFound(() => formPartnership({ ...valid, groupId: 'g9' }), 'group', 'g9');
    });

    it('checks existence before its own rules: a single missing party is NOT_FOUND', () => {
      expectNotFound(
        () => formPartnership({ ...valid, partyIds: ['nobody'] }),
        'organization',
        'nobody',
      );
    });

    describe('a partnership is finite', () => {
      it('then PARTNERSHIP_MUST_BE_FINITE when the intended end is the start', () => {
        expectRule(
          () => formPartnership({ ...valid, intendedEndAt: new Date(NOW) }),
          'PARTNERSHIP_MUST_BE_FINITE',
        );
      });

      it('then PARTNERSHIP_MUST_BE_FINITE when the intended end lies before the start', () => {
        expectRule(
          () => formPartnership({ ...valid, intendedEndAt: plus(NOW, -1) }),
          'PARTNERSHIP_MUST_BE_FINITE',
        );
      });

      it('takes a backdated effectiveAt as the start', () => {
        const start = at('2026-03-01T00:00:00Z');
        expectRule(
          () => formPartnership({ ...valid, effectiveAt: start, intendedEndAt: new Date(start) }),
          'PARTNERSHIP_MUST_BE_FINITE',
        );
        const decision = formPartnership({
          ...valid,
          effectiveAt: start,
          intendedEndAt: at('2026-04-01T00:00:00Z'),
        });
        expect(decision.effectiveAt).toEqual(start);
        expect(decision.events[0]?.data).toMatchObject({
          intendedEndAt: '2026-04-01T00:00:00.000Z',
        });
      });

      it('takes the moment of recording as the start when effectiveAt is within the skew', () => {
        expectRule(
          () =>
            formPartnership({ ...valid, effectiveAt: plus(NOW, 3 * MINUTE), intendedEndAt: NOW }),
          'PARTNERSHIP_MUST_BE_FINITE',
        );
      });
    });

    it('then PARTY_NOT_IN_GROUP when a party is not a member of the group', () => {
      expectRule(
        () => formPartnership({ ...valid, partyIds: ['acme', 'hooli'], groupId: 'g1' }),
        'PARTY_NOT_IN_GROUP',
      );
    });

    it('then GROUP_DISSOLVED with a dissolved group', () => {
      expectRule(() => formPartnership({ ...valid, groupId: 'gone' }), 'GROUP_DISSOLVED');
    });

    it("then EFFECTIVE_TIME_BEFORE_HISTORY before a party's registration; equal is allowed", () => {
      const withInitech = { ...valid, partyIds: ['acme', 'initech'] };
      expectRule(
        () => formPartnership({ ...withInitech, effectiveAt: plus(INITECH_REGISTERED_AT, -1) }),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
      expect(
        formPartnership({ ...withInitech, effectiveAt: INITECH_REGISTERED_AT }).effectiveAt,
      ).toEqual(INITECH_REGISTERED_AT);
    });

    it("then EFFECTIVE_TIME_BEFORE_HISTORY before the group's founding; equal is allowed", () => {
      expectRule(
        () =>
          formPartnership({
            ...valid,
            groupId: 'late',
            effectiveAt: plus(LATE_GROUP_FOUNDED_AT, -MINUTE),
          }),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
      // At the founding itself the time is fine, but nobody had joined yet.
      expectRule(
        () => formPartnership({ ...valid, groupId: 'late', effectiveAt: LATE_GROUP_FOUNDED_AT }),
        'PARTY_NOT_IN_GROUP',
      );
      expect(
        formPartnership({ ...valid, groupId: 'late', effectiveAt: at('2026-05-16T10:00:00Z') })
          .effectiveAt,
      ).toEqual(at('2026-05-16T10:00:00Z'));
    });

    it('then EFFECTIVE_TIME_IN_FUTURE more than 5 minutes ahead', () => {
      expectRule(
        () => formPartnership({ ...valid, effectiveAt: plus(NOW, 5 * MINUTE + 1) }),
        'EFFECTIVE_TIME_IN_FUTURE',
      );
    });

    it('checks the effective time before its own rules', () => {
      expectRule(
        () =>
          formPartnership({ ...valid, partyIds: ['acme'], effectiveAt: plus(NOW, MINUTE * 10) }),
        'EFFECTIVE_TIME_IN_FUTURE',
      );
    });

    it('checks its own rules in the order the table lists them', () => {
      expectRule(
        () =>
          formPartnership({ ...valid, partyIds: ['acme', 'acme'], intendedEndAt: plus(NOW, -1) }),
        'DUPLICATE_PARTY',
      );
      expectRule(
        () =>
          formPartnership({
            ...valid,
            partyIds: ['acme', 'hooli'],
            groupId: 'gone',
            intendedEndAt: plus(NOW, -1),
          }),
        'PARTNERSHIP_MUST_BE_FINITE',
      );
    });
  });

  describe('given PartnershipFormed', () => {
    it('then PARTNERSHIP_EXISTS', () => {
      expectRule(() => formPartnership(valid, p1Formed), 'PARTNERSHIP_EXISTS');
    });

    it('then PARTNERSHIP_EXISTS before TOO_FEW_PARTIES', () => {
      expectRule(
        () => formPartnership({ ...valid, partyIds: ['acme'] }, p1Formed),
        'PARTNERSHIP_EXISTS',
      );
    });

    it('checks that parties exist before PARTNERSHIP_EXISTS', () => {
      expectNotFound(
        () => formPartnership({ ...valid, partyIds: ['acme', 'nobody'] }, p1Formed),
        'organization',
        'nobody',
      );
    });

    it("then EFFECTIVE_TIME_BEFORE_HISTORY before the stream's latest effective time", () => {
      expectRule(
        () => formPartnership({ ...valid, effectiveAt: plus(P1_FORMED_AT, -1) }, p1Formed),
        'EFFECTIVE_TIME_BEFORE_HISTORY',
      );
    });
  });

  describe('input', () => {
    it('rejects 51 parties', () => {
      const partyIds = Array.from({ length: 51 }, (_, index) => `org-${index}`);
      expectBadInput(() => parseFormPartnership({ ...valid, partyIds }), 'partyIds');
    });

    it('rejects partyIds that are not a list', () => {
      expectBadInput(() => parseFormPartnership({ ...valid, partyIds: 'acme,globex' }), 'partyIds');
    });

    it('names the malformed party id', () => {
      expectBadInput(
        () => parseFormPartnership({ ...valid, partyIds: ['acme', 'glo bex'] }),
        'partyIds[1]',
      );
    });

    it.each([
      ['name', { ...valid, name: '  ' }],
      ['name', { ...valid, name: 'n'.repeat(201) }],
      ['purpose', { ...valid, purpose: 'p'.repeat(2001) }],
      ['id', { ...valid, id: 'p/1' }],
      ['id', { ...valid, id: 'p'.repeat(65) }],
      ['groupId', { ...valid, groupId: '' }],
      ['intendedEndAt', { ...valid, intendedEndAt: undefined }],
      ['intendedEndAt', { ...valid, intendedEndAt: new Date('someday') }],
      ['effectiveAt', { ...valid, effectiveAt: new Date('then') }],
    ])('rejects a malformed %s', (field, input) => {
      expectBadInput(() => parseFormPartnership(input), field);
    });

    it('reads an absent or null groupId as no group', () => {
      expect(parseFormPartnership({ ...valid, groupId: null }).data.groupId).toBeNull();
      expect(parseFormPartnership(valid).data.groupId).toBeNull();
    });
  });

  describe("rules that hold in time: the group as it was at the partnership's start", () => {
    const history: World = {
      ...world,
      groups: {
        g2: [
          founded('g2', at('2026-02-01T09:00:00Z')),
          joined('g2', 'acme', 'CORE', at('2026-02-10T09:00:00Z')),
          joined('g2', 'globex', 'RING', at('2026-02-20T09:00:00Z')),
          left('g2', 'globex', at('2026-03-20T09:00:00Z')),
          joined('g2', 'globex', 'FREE_SPACE', at('2026-04-20T09:00:00Z')),
          joined('g2', 'hooli', 'RING', at('2026-04-25T09:00:00Z')),
          left('g2', 'hooli', at('2026-04-28T09:00:00Z')),
        ],
        gone: world.groups?.['gone'] ?? [],
      },
    };
    const inG2 = (effectiveAt: Date, partyIds = ['acme', 'globex']) =>
      formPartnership(
        { ...valid, partyIds, groupId: 'g2', effectiveAt },
        initialPartnershipState,
        contextAt(NOW, history),
      );

    it('then PartnershipFormed when every party was a member at its start', () => {
      expect(inG2(at('2026-03-01T09:00:00Z')).events).toHaveLength(1);
      expect(inG2(at('2026-04-20T09:00:00Z')).events).toHaveLength(1);
    });

    it('then PARTY_NOT_IN_GROUP when a party had not joined yet at its start', () => {
      expectRule(() => inG2(at('2026-02-15T09:00:00Z')), 'PARTY_NOT_IN_GROUP');
    });

    it('then PARTY_NOT_IN_GROUP when a party had left by its start, though it is a member now', () => {
      expectRule(() => inG2(at('2026-03-20T09:00:00Z')), 'PARTY_NOT_IN_GROUP');
      expectRule(() => inG2(at('2026-04-01T09:00:00Z')), 'PARTY_NOT_IN_GROUP');
    });

    it('then PARTY_NOT_IN_GROUP for a party that was a member then but is not now, at recording', () => {
      expect(inG2(at('2026-04-26T09:00:00Z'), ['acme', 'hooli']).events).toHaveLength(1);
      expectRule(
        () =>
          formPartnership(
            { ...valid, partyIds: ['acme', 'hooli'], groupId: 'g2' },
            initialPartnershipState,
            contextAt(NOW, history),
          ),
        'PARTY_NOT_IN_GROUP',
      );
    });

    it('then PartnershipFormed in a group dissolved later, backdated to before the dissolution', () => {
      expect(
        formPartnership({ ...valid, groupId: 'gone', effectiveAt: at('2026-03-01T09:00:00Z') })
          .events,
      ).toHaveLength(1);
    });

    it('then GROUP_DISSOLVED at or after the dissolution, before PARTY_NOT_IN_GROUP', () => {
      expectRule(
        () =>
          formPartnership({ ...valid, groupId: 'gone', effectiveAt: at('2026-04-01T09:00:00Z') }),
        'GROUP_DISSOLVED',
      );
      expectRule(
        () =>
          formPartnership({
            ...valid,
            partyIds: ['acme', 'hooli'],
            groupId: 'gone',
            effectiveAt: at('2026-05-01T09:00:00Z'),
          }),
        'GROUP_DISSOLVED',
      );
    });
  });
});
