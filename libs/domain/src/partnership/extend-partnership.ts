import { Decision } from '../common/command';
import { resolveEffectiveTime } from '../common/effective-time';
import { RuleViolationError } from '../common/errors';
import { optionalDate, optionalVersion, requireDate, requireId } from '../common/input';
import {
  PartnershipCommandOf,
  PartnershipContext,
  PartnershipEvent,
  PartnershipState,
  checkPartnershipExists,
  ensureActive,
} from './partnership';

export type ExtendPartnership = PartnershipCommandOf<
  'ExtendPartnership',
  { readonly partnershipId: string; readonly intendedEndAt: Date }
>;

export interface ExtendPartnershipInput {
  readonly partnershipId: unknown;
  readonly intendedEndAt: unknown;
  readonly expectedVersion?: unknown;
  readonly effectiveAt?: unknown;
}

export function parseExtendPartnership(input: ExtendPartnershipInput): ExtendPartnership {
  return {
    type: 'ExtendPartnership',
    data: {
      partnershipId: requireId('partnershipId', input.partnershipId),
      intendedEndAt: requireDate('intendedEndAt', input.intendedEndAt),
      expectedVersion: optionalVersion('expectedVersion', input.expectedVersion),
      effectiveAt: optionalDate('effectiveAt', input.effectiveAt),
    },
  };
}

export function extendPartnership(
  command: ExtendPartnership,
  state: PartnershipState,
  { now }: PartnershipContext,
): Decision<PartnershipEvent> {
  const { partnershipId, intendedEndAt } = command.data;
  checkPartnershipExists(command.data, state);
  const effectiveAt = resolveEffectiveTime(command.data.effectiveAt, now, [
    state.latestEffectiveAt,
  ]);
  ensureActive(state, partnershipId);
  const current = state.intendedEndAt as Date;
  if (intendedEndAt.getTime() <= current.getTime()) {
    throw new RuleViolationError(
      'EXTENSION_NOT_LATER',
      `intendedEndAt ${intendedEndAt.toISOString()} is not later than the current intended end ${current.toISOString()}`,
    );
  }
  const extendedAt = effectiveAt ?? now;
  if (intendedEndAt.getTime() <= extendedAt.getTime()) {
    throw new RuleViolationError(
      'EXTENSION_ALREADY_PASSED',
      `intendedEndAt ${intendedEndAt.toISOString()} does not lie after the extension at ${extendedAt.toISOString()}`,
    );
  }
  return {
    effectiveAt,
    events: [
      {
        type: 'PartnershipExtended',
        data: {
          partnershipId,
          intendedEndAt: intendedEndAt.toISOString(),
          previousIntendedEndAt: current.toISOString(),
        },
      },
    ],
  };
}
