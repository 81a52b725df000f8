import {
  AgreeArrangementCommand,
  AgreeArrangementHandler,
} from '../../apps/api/src/commands/agree-arrangement.handler';
import {
  AssessCapabilityCommand,
  AssessCapabilityHandler,
} from '../../apps/api/src/commands/assess-capability.handler';
import {
  ChangePositionCommand,
  ChangePositionHandler,
} from '../../apps/api/src/commands/change-position.handler';
import { CommandRecorder, CommandResult } from '../../apps/api/src/commands/command-recorder';
import {
  DissolveGroupCommand,
  DissolveGroupHandler,
} from '../../apps/api/src/commands/dissolve-group.handler';
import {
  EndPartnershipCommand,
  EndPartnershipHandler,
} from '../../apps/api/src/commands/end-partnership.handler';
import {
  ExtendPartnershipCommand,
  ExtendPartnershipHandler,
} from '../../apps/api/src/commands/extend-partnership.handler';
import {
  FormPartnershipCommand,
  FormPartnershipHandler,
} from '../../apps/api/src/commands/form-partnership.handler';
import {
  FoundGroupCommand,
  FoundGroupHandler,
} from '../../apps/api/src/commands/found-group.handler';
import { JoinGroupCommand, JoinGroupHandler } from '../../apps/api/src/commands/join-group.handler';
import {
  LeaveGroupCommand,
  LeaveGroupHandler,
} from '../../apps/api/src/commands/leave-group.handler';
import {
  RecordInterventionCommand,
  RecordInterventionHandler,
} from '../../apps/api/src/commands/record-intervention.handler';
import {
  RegisterOrganizationCommand,
  RegisterOrganizationHandler,
} from '../../apps/api/src/commands/register-organization.handler';
import { MutationName } from './commands';

/** Runs one mutation's input through its command handler, as the resolver does. */
export type Execute = (input: any) => Promise<CommandResult>;

/**
 * The command handlers of the app wired to one CommandRecorder without Nest: the path every
 * mutation takes below its resolver.
 */
export function commandHandlers(recorder: CommandRecorder): Record<MutationName, Execute> {
  return {
    registerOrganization: (input) =>
      new RegisterOrganizationHandler(recorder).execute(
        new RegisterOrganizationCommand(input, null),
      ),
    assessCapability: (input) =>
      new AssessCapabilityHandler(recorder).execute(new AssessCapabilityCommand(input, null)),
    foundGroup: (input) =>
      new FoundGroupHandler(recorder).execute(new FoundGroupCommand(input, null)),
    joinGroup: (input) => new JoinGroupHandler(recorder).execute(new JoinGroupCommand(input, null)),
    changePosition: (input) =>
      new ChangePositionHandler(recorder).execute(new ChangePositionCommand(input, null)),
    leaveGroup: (input) =>
      new LeaveGroupHandler(recorder).execute(new LeaveGroupCommand(input, null)),
    dissolveGroup: (input) =>
      new DissolveGroupHandler(recorder).execute(new DissolveGroupCommand(input, null)),
    formPartnership: (input) =>
      new FormPartnershipHandler(recorder).execute(new FormPartnershipCommand(input, null)),
    agreeArrangement: (input) =>
      new AgreeArrangementHandler(recorder).execute(new AgreeArrangementCommand(input, null)),
    extendPartnership: (input) =>
      new ExtendPartnershipHandler(recorder).execute(new ExtendPartnershipCommand(input, null)),
    endPartnership: (input) =>
      new EndPartnershipHandler(recorder).execute(new EndPartnershipCommand(input, null)),
    recordIntervention: (input) =>
      new RecordInterventionHandler(recorder).execute(new RecordInterventionCommand(input, null)),
  };
}
