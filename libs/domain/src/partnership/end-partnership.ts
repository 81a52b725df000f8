import { Decision } from '../common/command';
import { resolveEffectiveTime } from '../common/effective-time';
import { RuleViolationError } from '../common/errors';
import {
  LIMITS,
  optionalDate,
  optionalText,
  optionalVersion,
  requireId,
  requireOneOf,
} from '../common/input';
import {
  END_REASONS,
  EndReason,
  PartnershipCommandOf,
  PartnershipContext,
  PartnershipEvent,
  PartnershipState,
  checkPartnershipExists,
  ensureActive,
} from './partnership';

export type EndPartnership = PartnershipCommandOf<
  'EndPartnership',
  { readonly partnershipId: string; readonly reason: EndReason; readonly note: string | null }
>;

export interface EndPartnershipInput {
  readonly partnershipId: unknown;
  readonly reason: unknown;
  readonly note?: unknown;
  readonly expectedVersion?: unknown;
  readonly effectiveAt?: unknown;
}

export function parseEndPartnership(input: EndPartnershipInput): EndPartnership {
  return {
    type: 'EndPartnership',
    data: {
      partnershipId: requireId('partnershipId', input.partnershipId),
      reason: requireOneOf('reason', input.reason, END_REASONS),
      note: optionalText('note', input.note, LIMITS.longText),
      expectedVersion: optionalVersion('expectedVersion', input.expectedVersion),
      effectiveAt: optionalDate('effectiveAt', input.effectiveAt),
    },
  };
}

/** Every arrangement ends with the partnership. */
export function endPartnership(
  command: EndPartnership,
  state: PartnershipState,
  { now }: PartnershipContext,
): Decision<PartnershipEvent> {
  const { partnershipId, reason, note } = command.data;
  checkPartnershipExists(command.data, state);
  const effectiveAt = resolveEffectiveTime(command.data.effectiveAt, now, [
    state.latestEffectiveAt,
  ]);
  ensureActive(state, partnershipId);
  const endsAt = effectiveAt ?? now;
  const intendedEndAt = state.intendedEndAt as Date;
  if (reason === 'EXPIRED' && endsAt.getTime() < intendedEndAt.getTime()) {
    throw new RuleViolationError(
      'NOT_YET_EXPIRED',
      `a partnership ending at ${endsAt.toISOString()} has not expired: its intended end is ${intendedEndAt.toISOString()}`,
    );
  }
  return {
    effectiveAt,
    events: [{ type: 'PartnershipEnded', data: { partnershipId, reason, note } }],
  };
}
