import { Decision } from '../common/command';
import { resolveEffectiveTime } from '../common/effective-time';
import { RuleViolationError } from '../common/errors';
import { LIMITS, optionalDate, optionalVersion, requireId, requireText } from '../common/input';
import {
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
  }
>;

export interface AgreeArrangementInput {
  readonly partnershipId: unknown;
  readonly arrangementId: string;
  readonly title: unknown;
  readonly terms: unknown;
  readonly validUntil?: unknown;
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
      expectedVersion: optionalVersion('expectedVersion', input.expectedVersion),
      effectiveAt: optionalDate('effectiveAt', input.effectiveAt),
    },
  };
}

export function agreeArrangement(
  command: AgreeArrangement,
  state: PartnershipState,
  { now }: PartnershipContext,
): Decision<PartnershipEvent> {
  const { partnershipId, arrangementId, title, terms, validUntil } = command.data;
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
          commitments: [],
        },
      },
    ],
  };
}
