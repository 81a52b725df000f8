import { Decision } from '../common/command';
import { resolveEffectiveTime } from '../common/effective-time';
import { InvalidInputError, RuleViolationError } from '../common/errors';
import { LIMITS, optionalDate, optionalVersion, requireId, requireText } from '../common/input';
import {
  Commitment,
  PartnershipCommandOf,
  PartnershipContext,
  PartnershipEvent,
  PartnershipState,
  checkPartnershipExists,
  ensureActive,
} from './partnership';

export type AgreeArrangement = PartnershipCommandOf<
  'AgreeArrangement',
  {
    readonly partnershipId: string;
    readonly arrangementId: string;
    readonly title: string;
    readonly terms: string;
    readonly validUntil: Date | undefined;
    readonly commitments: readonly Commitment[];
  }
>;

export interface AgreeArrangementInput {
  readonly partnershipId: unknown;
  readonly arrangementId: string;
  readonly title: unknown;
  readonly terms: unknown;
  readonly validUntil?: unknown;
  readonly commitments?: unknown;
  readonly expectedVersion?: unknown;
  readonly effectiveAt?: unknown;
}

export function parseAgreeArrangement(input: AgreeArrangementInput): AgreeArrangement {
  return {
    type: 'AgreeArrangement',
    data: {
      partnershipId: requireId('partnershipId', input.partnershipId),
      arrangementId: requireId('arrangementId', input.arrangementId),
      title: requireText('title', input.title, LIMITS.name),
      terms: requireText('terms', input.terms, LIMITS.terms),
      validUntil: optionalDate('validUntil', input.validUntil),
      commitments: parseCommitments(input.commitments),
      expectedVersion: optionalVersion('expectedVersion', input.expectedVersion),
      effectiveAt: optionalDate('effectiveAt', input.effectiveAt),
    },
  };
}

/** At most one commitment per party, so never more than a partnership has parties. */
function parseCommitments(value: unknown): Commitment[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw new InvalidInputError('commitments', 'must be a list');
  if (value.length > LIMITS.parties) {
    throw new InvalidInputError('commitments', `must hold at most ${LIMITS.parties} commitments`);
  }
  return value.map((item: unknown, index): Commitment => {
    const field = `commitments[${index}]`;
    if (item === null || typeof item !== 'object') {
      throw new InvalidInputError(field, 'must be { organizationId, commitment }');
    }
    const { organizationId, commitment } = item as Record<string, unknown>;
    return {
      organizationId: requireId(`${field}.organizationId`, organizationId),
      commitment: requireText(`${field}.commitment`, commitment, LIMITS.longText),
    };
  });
}

export function agreeArrangement(
  command: AgreeArrangement,
  state: PartnershipState,
  { now }: PartnershipContext,
): Decision<PartnershipEvent> {
  const { partnershipId, arrangementId, title, terms, validUntil, commitments } = command.data;
  checkPartnershipExists(command.data, state);
  const effectiveAt = resolveEffectiveTime(command.data.effectiveAt, now, [
    state.latestEffectiveAt,
  ]);
  ensureActive(state, partnershipId);
  if (state.arrangementIds.has(arrangementId)) {
    throw new RuleViolationError(
      'ARRANGEMENT_EXISTS',
      `arrangement "${arrangementId}" already exists in partnership "${partnershipId}"`,
    );
  }
  const agreedAt = effectiveAt ?? now;
  if (validUntil !== undefined && validUntil.getTime() <= agreedAt.getTime()) {
    throw new RuleViolationError(
      'ARRANGEMENT_ENDS_BEFORE_AGREED',
      `validUntil ${validUntil.toISOString()} does not lie after the agreement at ${agreedAt.toISOString()}`,
    );
  }
  if (
    validUntil !== undefined &&
    state.intendedEndAt !== undefined &&
    validUntil.getTime() > state.intendedEndAt.getTime()
  ) {
    throw new RuleViolationError(
      'ARRANGEMENT_OUTLIVES_PARTNERSHIP',
      `validUntil ${validUntil.toISOString()} lies after the partnership's intended end ${state.intendedEndAt.toISOString()}`,
    );
  }
  checkCommitments(commitments, state, partnershipId);
  return {
    effectiveAt,
    events: [
      {
        type: 'ArrangementAgreed',
        data: {
          partnershipId,
          arrangementId,
          title,
          terms,
          validUntil: validUntil?.toISOString() ?? null,
          commitments: commitments.map(({ organizationId, commitment }) => ({
            organizationId,
            commitment,
          })),
        },
      },
    ],
  };
}

/** Each commitment is one party's part of the work: only parties, and each at most once. */
function checkCommitments(
  commitments: readonly Commitment[],
  state: PartnershipState,
  partnershipId: string,
): void {
  const outsider = commitments.find(({ organizationId }) => !state.partyIds.has(organizationId));
  if (outsider !== undefined) {
    throw new RuleViolationError(
      'NOT_A_PARTY',
      `organization "${outsider.organizationId}" is not a party of partnership "${partnershipId}"`,
    );
  }
  const named = commitments.map(({ organizationId }) => organizationId);
  const duplicate = named.find((id, index) => named.indexOf(id) !== index);
  if (duplicate !== undefined) {
    throw new RuleViolationError(
      'DUPLICATE_PARTY',
      `organization "${duplicate}" has more than one commitment in this arrangement`,
    );
  }
}
