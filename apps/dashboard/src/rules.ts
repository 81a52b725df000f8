/**
 * Every rule the server names (extensions.rule) as a sentence a manager can act on, and the
 * form field it concerns, so the sentence appears next to that field.
 */
export interface RuleText {
  readonly sentence: string;
  /** The input field the rule is about; null for the form as a whole. */
  readonly field: string | null;
  /** Other fields it may concern, in forms without `field` (the first one present wins). */
  readonly alsoFields?: readonly string[];
}

export const RULES: Readonly<Record<string, RuleText>> = {
  ORGANIZATION_EXISTS: {
    sentence: 'An organisation with this id is already registered.',
    field: 'id',
  },
  GROUP_EXISTS: { sentence: 'A group with this id has already been founded.', field: 'id' },
  GROUP_DISSOLVED: {
    sentence: 'This group has been dissolved: nobody can join, move or partner in it any more.',
    field: 'groupId',
  },
  ALREADY_MEMBER: {
    sentence: 'This organisation is already a member of the group.',
    field: 'organizationId',
  },
  NOT_A_MEMBER: {
    sentence: 'This organisation is not a member of the group.',
    field: 'organizationId',
  },
  SAME_POSITION: {
    sentence: 'The organisation already holds this position; choose a different one.',
    field: 'position',
  },
  PARTNERSHIP_EXISTS: { sentence: 'A partnership with this id already exists.', field: 'id' },
  TOO_FEW_PARTIES: { sentence: 'A partnership needs at least two parties.', field: 'partyIds' },
  DUPLICATE_PARTY: {
    sentence:
      'The same organisation is named twice: a party appears once, and takes on at most one commitment.',
    field: 'partyIds',
    alsoFields: ['commitments'],
  },
  PARTNERSHIP_MUST_BE_FINITE: {
    sentence: 'A partnership is finite: its intended end must come after its start.',
    field: 'intendedEndAt',
  },
  PARTY_NOT_IN_GROUP: {
    sentence: 'Every party must be a member of the group at the time the partnership starts.',
    field: 'partyIds',
  },
  PARTNERSHIP_ENDED: { sentence: 'This partnership has already ended.', field: 'partnershipId' },
  ARRANGEMENT_EXISTS: {
    sentence: 'This partnership already has an arrangement with this id.',
    field: 'arrangementId',
  },
  ARRANGEMENT_OUTLIVES_PARTNERSHIP: {
    sentence: "An arrangement cannot be valid beyond the partnership's intended end.",
    field: 'validUntil',
  },
  ARRANGEMENT_ENDS_BEFORE_AGREED: {
    sentence: 'An arrangement must stay valid until after the moment it is agreed.',
    field: 'validUntil',
  },
  EXTENSION_NOT_LATER: {
    sentence: 'An extension must move the intended end later than it is now.',
    field: 'intendedEndAt',
  },
  EXTENSION_ALREADY_PASSED: {
    sentence: 'The new intended end has already passed at the time of the extension.',
    field: 'intendedEndAt',
  },
  NOT_YET_EXPIRED: {
    sentence: 'A partnership can end as "expired" only once its intended end has come.',
    field: 'reason',
  },
  NOT_A_PARTY: {
    sentence: 'A commitment can only be taken on by a party of the partnership.',
    field: 'commitments',
  },
  INTERVENTION_EXISTS: {
    sentence: 'An intervention with this id is already recorded here.',
    field: 'interventionId',
  },
  COMMAND_ID_REUSED: {
    sentence:
      'This request id was already used for a different change; the form will use a new one.',
    field: null,
  },
  EFFECTIVE_TIME_IN_FUTURE: {
    sentence:
      'The "took effect" time lies in the future; a fact can only be recorded once it happened.',
    field: 'effectiveAt',
  },
  EFFECTIVE_TIME_BEFORE_HISTORY: {
    sentence:
      'The "took effect" time is earlier than what is already recorded (or before an organisation or group existed).',
    field: 'effectiveAt',
  },
};

/** Codes that are not rules, in the same words. */
export const CODES: Readonly<Record<string, string>> = {
  NOT_FOUND: 'Nothing with that id exists: check the organisation, group or partnership.',
  CONCURRENCY_CONFLICT: 'Someone else changed this in the meantime; look again and retry.',
  FORBIDDEN: 'Your role may not record changes.',
  UNAUTHENTICATED: 'You are not signed in, or your key is no longer accepted.',
  BAD_USER_INPUT: 'This value is not accepted.',
  RULE_VIOLATION: 'A rule of the domain refuses this change; nothing was recorded.',
  INTERNAL_SERVER_ERROR: 'The server failed; nothing was recorded. Try again later.',
};
