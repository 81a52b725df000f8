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
import { InterventionRecorded } from '../intervention/record-intervention';
import { AssessCapability, assessCapability } from './assess-capability';
import { RegisterOrganization, registerOrganization } from './register-organization';

export const organizationStream = (organizationId: string): string =>
  `organization-${organizationId}`;

export type OrganizationRegistered = Event<
  'OrganizationRegistered',
  { readonly organizationId: string; readonly name: string }
>;

export type CapabilityAssessed = Event<
  'CapabilityAssessed',
  {
    readonly organizationId: string;
    readonly ambition: number;
    readonly realized: number;
    readonly notes: string | null;
  }
>;

export type OrganizationEvent = OrganizationRegistered | CapabilityAssessed | InterventionRecorded;

export type OrganizationCommand = RegisterOrganization | AssessCapability;

export interface OrganizationState extends StreamState {
  readonly registeredAt: Date | undefined;
  readonly interventionIds: ReadonlySet<string>;
}

export const initialOrganizationState: OrganizationState = Object.assign({}, emptyStream, {
  registeredAt: undefined,
  interventionIds: new Set(),
} satisfies Omit<OrganizationState, keyof StreamState>);

export function isRegistered(state: OrganizationState): boolean {
  return state.registeredAt !== undefined;
}

export function evolveOrganization(
  state: OrganizationState,
  event: Effective<OrganizationEvent>,
): OrganizationState {
  const next = advance(state, event.effectiveAt);
  switch (event.type) {
    case 'OrganizationRegistered':
      return Object.assign({}, next, { registeredAt: event.effectiveAt });
    case 'CapabilityAssessed':
      return next;
    case 'InterventionRecorded':
      return Object.assign({}, next, {
        interventionIds: new Set(state.interventionIds).add(event.data.interventionId),
      });
    default:
      return assertNever(event);
  }
}

export function decideOrganization(
  command: OrganizationCommand,
  state: OrganizationState,
  time: DecisionTime,
): Decision<OrganizationEvent> {
  switch (command.type) {
    case 'RegisterOrganization':
      return registerOrganization(command, state, time);
    case 'AssessCapability':
      return assessCapability(command, state, time);
    default:
      return assertNever(command);
  }
}

export type OrganizationCommandOf<Type extends string, Data> = Command<Type, Data & CommandOptions>;
