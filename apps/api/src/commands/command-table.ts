import { v7 as timeOrderedUuid } from 'uuid';
import { DomainCommand } from '@partnerships/domain/commands';
import {
  RecordInterventionInput,
  parseRecordIntervention,
} from '@partnerships/domain/intervention/record-intervention';
import {
  ChangePositionInput,
  parseChangePosition,
} from '@partnerships/domain/group/change-position';
import { DissolveGroupInput, parseDissolveGroup } from '@partnerships/domain/group/dissolve-group';
import { FoundGroupInput, parseFoundGroup } from '@partnerships/domain/group/found-group';
import { JoinGroupInput, parseJoinGroup } from '@partnerships/domain/group/join-group';
import { LeaveGroupInput, parseLeaveGroup } from '@partnerships/domain/group/leave-group';
import {
  AssessCapabilityInput,
  parseAssessCapability,
} from '@partnerships/domain/organization/assess-capability';
import {
  RegisterOrganizationInput,
  parseRegisterOrganization,
} from '@partnerships/domain/organization/register-organization';
import {
  AgreeArrangementInput,
  parseAgreeArrangement,
} from '@partnerships/domain/partnership/agree-arrangement';
import {
  EndPartnershipInput,
  parseEndPartnership,
} from '@partnerships/domain/partnership/end-partnership';
import {
  ExtendPartnershipInput,
  parseExtendPartnership,
} from '@partnerships/domain/partnership/extend-partnership';
import {
  FormPartnershipInput,
  parseFormPartnership,
} from '@partnerships/domain/partnership/form-partnership';

/** Every mutation's input may name its command, so that a retry is recognised. */
export type CommandInput<Input> = Input & { readonly commandId?: string | null };

/** An input whose id the server chooses when the client leaves it out. */
type IdChosenByServer<Input, Key extends keyof Input> = Omit<Input, Key> & {
  readonly [K in Key]?: Input[K] | null;
};

/**
 * One mutation: the GraphQL input type of its `input` argument and how that input becomes
 * the domain command. Where the command goes and which decider decides it is the domain's
 * (libs/domain/src/commands.ts); every mutation answers with a CommandResult.
 */
export interface CommandRow<Input> {
  readonly inputType: string;
  parse(input: CommandInput<Input>): DomainCommand;
  /**
   * Whether the stream the command addresses is named by an id the server chooses for it
   * now (the client left it out): a new UUID, so no stream of that name can be there yet.
   */
  addressesNewStream(input: CommandInput<Input>): boolean;
}

function row<Input>(
  inputType: string,
  parse: (input: CommandInput<Input>) => DomainCommand,
  addressesNewStream: (input: CommandInput<Input>) => boolean = () => false,
): CommandRow<Input> {
  return { inputType, parse, addressesNewStream };
}

/** For a command whose `id`, chosen by the server when left out, names its stream. */
const idLeftOut = (input: { readonly id?: string | null }): boolean => input.id == null;

/**
 * The one id rule for what a client may name (entities, arrangements, interventions, the
 * command itself): the client's id when given, otherwise a new UUID. Event ids derive from
 * the commandId (libs/event-store/src/event-envelope.ts).
 *
 * A new id is a UUIDv7 (RFC 9562): it begins with the moment it was made, so the ids the
 * server chooses follow one another in the store's indexes (streams, commandIds), and a
 * group commit writes the index pages at their end instead of one page at a random place
 * per id. The moment it shows is recorded with the event anyway (`recordedAt`).
 */
export function idOrNew(id: string | null | undefined): string {
  return id ?? timeOrderedUuid();
}

/**
 * Every command of the API, by mutation name. The CQRS handler, the Mutation resolvers and
 * the test support are all built from this table; command-table.spec.ts checks it against
 * the served schema.
 */
export const COMMANDS = {
  registerOrganization: row<IdChosenByServer<RegisterOrganizationInput, 'id'>>(
    'RegisterOrganizationInput',
    (input) => parseRegisterOrganization(Object.assign({}, input, { id: idOrNew(input.id) })),
    idLeftOut,
  ),
  assessCapability: row<AssessCapabilityInput>('AssessCapabilityInput', parseAssessCapability),
  foundGroup: row<IdChosenByServer<FoundGroupInput, 'id'>>(
    'FoundGroupInput',
    (input) => parseFoundGroup(Object.assign({}, input, { id: idOrNew(input.id) })),
    idLeftOut,
  ),
  joinGroup: row<JoinGroupInput>('JoinGroupInput', parseJoinGroup),
  changePosition: row<ChangePositionInput>('ChangePositionInput', parseChangePosition),
  leaveGroup: row<LeaveGroupInput>('LeaveGroupInput', parseLeaveGroup),
  dissolveGroup: row<DissolveGroupInput>('DissolveGroupInput', parseDissolveGroup),
  formPartnership: row<IdChosenByServer<FormPartnershipInput, 'id'>>(
    'FormPartnershipInput',
    (input) => parseFormPartnership(Object.assign({}, input, { id: idOrNew(input.id) })),
    idLeftOut,
  ),
  agreeArrangement: row<IdChosenByServer<AgreeArrangementInput, 'arrangementId'>>(
    'AgreeArrangementInput',
    (input) =>
      parseAgreeArrangement(
        Object.assign({}, input, { arrangementId: idOrNew(input.arrangementId) }),
      ),
  ),
  extendPartnership: row<ExtendPartnershipInput>('ExtendPartnershipInput', parseExtendPartnership),
  endPartnership: row<EndPartnershipInput>('EndPartnershipInput', parseEndPartnership),
  recordIntervention: row<IdChosenByServer<RecordInterventionInput, 'interventionId'>>(
    'RecordInterventionInput',
    (input) =>
      parseRecordIntervention(
        Object.assign({}, input, { interventionId: idOrNew(input.interventionId) }),
      ),
  ),
};

export type CommandName = keyof typeof COMMANDS;

/** The input a mutation takes, as GraphQL hands it over. */
export type InputOf<Name extends CommandName> =
  (typeof COMMANDS)[Name] extends CommandRow<infer Input> ? CommandInput<Input> : never;

export const COMMAND_NAMES = Object.keys(COMMANDS) as CommandName[];

/** Each mutation's GraphQL input type, by name. */
export const INPUT_TYPES = Object.fromEntries(
  COMMAND_NAMES.map((name) => [name, COMMANDS[name].inputType]),
) as Readonly<Record<CommandName, string>>;

export function isCommandName(name: string): name is CommandName {
  return Object.prototype.hasOwnProperty.call(COMMANDS, name);
}

/**
 * The row of a mutation. It takes `InputOf<Name>`; TypeScript cannot correlate the two
 * through the table's union of rows, so the row is read as one that takes any input.
 */
function rowOf(name: CommandName): CommandRow<unknown> {
  return COMMANDS[name];
}

/** A mutation's input as the domain command its row parses it into. */
export function parseCommand<Name extends CommandName>(
  name: Name,
  input: InputOf<Name>,
): DomainCommand {
  return rowOf(name).parse(input);
}

/** Whether a mutation with this input creates its stream under an id chosen now (CommandRow). */
export function addressesNewStream<Name extends CommandName>(
  name: Name,
  input: InputOf<Name>,
): boolean {
  return rowOf(name).addressesNewStream(input);
}
