import {
  Command,
  CommandOptions,
  Decision,
  DecisionTime,
  Effective,
  Event,
  StreamState,
  advance,
  assertNever,
  emptyStream,
} from '../common/command';
import { checkExpectedVersion } from '../common/expected-version';
import { NotFoundError, RuleViolationError } from '../common/errors';
import { GroupState } from '../group/group';
import { InterventionRecorded } from '../intervention/record-intervention';
import { OrganizationState } from '../organization/organization';
import { AgreeArrangement, agreeArrangement } from './agree-arrangement';
import { EndPartnership, endPartnership } from './end-partnership';
import { ExtendPartnership, extendPartnership } from './extend-partnership';
import { FormPartnership, formPartnership } from './form-partnership';

export const partnershipStream = (partnershipId: string): string => `partnership-${partnershipId}`;

export const END_REASONS = ['COMPLETED', 'TERMINATED', 'EXPIRED', 'MERGED', 'OTHER'] as const;
export type EndReason = (typeof END_REASONS)[number];

/** Dates inside event data are RFC 3339 strings: the data is stored as JSON. */
export type PartnershipFormed = Event<
  'PartnershipFormed',
  {
    readonly partnershipId: string;
    readonly name: string;
    readonly purpose: string | null;
    readonly partyIds: readonly string[];
    readonly groupId: string | null;
    readonly intendedEndAt: string;
  }
>;

/** Which party takes on which part of the work under an arrangement. */
export interface Commitment {
  readonly organizationId: string;
  readonly commitment: string;
}

/** Schema version 2: `commitments` is always present, `[]` when the arrangement lists none. */
export type ArrangementAgreed = Event<
  'ArrangementAgreed',
  {
    readonly partnershipId: string;
    readonly arrangementId: string;
    readonly title: string;
    readonly terms: string;
    readonly validUntil: string | null;
    readonly commitments: readonly Commitment[];
  }
>;

export type PartnershipExtended = Event<
  'PartnershipExtended',
  {
    readonly partnershipId: string;
    readonly intendedEndAt: string;
    readonly previousIntendedEndAt: string;
  }
>;

/** Every arrangement of the partnership ends with it. */
export type PartnershipEnded = Event<
  'PartnershipEnded',
  { readonly partnershipId: string; readonly reason: EndReason; readonly note: string | null }
>;

export type PartnershipEvent =
  | PartnershipFormed
  | ArrangementAgreed
  | PartnershipExtended
  | PartnershipEnded
  | InterventionRecorded;

export type PartnershipCommand =
  FormPartnership | AgreeArrangement | ExtendPartnership | EndPartnership;

export type PartnershipCommandOf<Type extends string, Data> = Command<Type, Data & CommandOptions>;

export interface PartnershipState extends StreamState {
  readonly formed: boolean;
  readonly ended: boolean;
  readonly intendedEndAt: Date | undefined;
  readonly partyIds: ReadonlySet<string>;
  readonly arrangementIds: ReadonlySet<string>;
  readonly interventionIds: ReadonlySet<string>;
}

export const initialPartnershipState: PartnershipState = Object.assign({}, emptyStream, {
  formed: false,
  ended: false,
  intendedEndAt: undefined,
  partyIds: new Set(),
  arrangementIds: new Set(),
  interventionIds: new Set(),
} satisfies Omit<PartnershipState, keyof StreamState>);

export function evolvePartnership(
  state: PartnershipState,
  event: Effective<PartnershipEvent>,
): PartnershipState {
  const next = advance(state, event.effectiveAt);
  switch (event.type) {
    case 'PartnershipFormed':
      return Object.assign({}, next, {
        formed: true,
        intendedEndAt: new Date(event.data.intendedEndAt),
        partyIds: new Set(event.data.partyIds),
      });
    case 'ArrangementAgreed':
      return Object.assign({}, next, {
        arrangementIds: new Set(state.arrangementIds).add(event.data.arrangementId),
      });
    case 'PartnershipExtended':
      return Object.assign({}, next, { intendedEndAt: new Date(event.data.intendedEndAt) });
    case 'PartnershipEnded':
      return Object.assign({}, next, { ended: true });
    case 'InterventionRecorded':
      return Object.assign({}, next, {
        interventionIds: new Set(state.interventionIds).add(event.data.interventionId),
      });
    default:
      return assertNever(event);
  }
}

/** What partnership decisions read from other streams. */
export interface PartnershipContext extends DecisionTime {
  organization(organizationId: string): OrganizationState;
  group(groupId: string): GroupState;
}

export function decidePartnership(
  command: PartnershipCommand,
  state: PartnershipState,
  context: PartnershipContext,
): Decision<PartnershipEvent> {
  switch (command.type) {
    case 'FormPartnership':
      return formPartnership(command, state, context);
    case 'AgreeArrangement':
      return agreeArrangement(command, state, context);
    case 'ExtendPartnership':
      return extendPartnership(command, state, context);
    case 'EndPartnership':
      return endPartnership(command, state, context);
    default:
      return assertNever(command);
  }
}

/** Steps 3 and 4 for commands on an existing partnership: it exists, the version matches. */
export function checkPartnershipExists(
  data: CommandOptions & { readonly partnershipId: string },
  state: PartnershipState,
): void {
  if (!state.formed) throw new NotFoundError('partnership', data.partnershipId);
  checkExpectedVersion(partnershipStream(data.partnershipId), data, state);
}

export function ensureActive(state: PartnershipState, partnershipId: string): void {
  if (state.ended) {
    throw new RuleViolationError('PARTNERSHIP_ENDED', `partnership "${partnershipId}" has ended`);
  }
}
