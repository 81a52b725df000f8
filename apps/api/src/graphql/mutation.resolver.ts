import { Args, Mutation, Resolver } from '@nestjs/graphql';
import { CommandBus } from '@nestjs/cqrs';
import { CommandResult } from '../commands/command-recorder';
import {
  RegisterOrganizationCommand,
  RegisterOrganizationRequest,
} from '../commands/register-organization.handler';
import {
  AssessCapabilityCommand,
  AssessCapabilityRequest,
} from '../commands/assess-capability.handler';
import { FoundGroupCommand, FoundGroupRequest } from '../commands/found-group.handler';
import { JoinGroupCommand, JoinGroupRequest } from '../commands/join-group.handler';
import { ChangePositionCommand, ChangePositionRequest } from '../commands/change-position.handler';
import { LeaveGroupCommand, LeaveGroupRequest } from '../commands/leave-group.handler';
import { DissolveGroupCommand, DissolveGroupRequest } from '../commands/dissolve-group.handler';
import {
  FormPartnershipCommand,
  FormPartnershipRequest,
} from '../commands/form-partnership.handler';
import {
  AgreeArrangementCommand,
  AgreeArrangementRequest,
} from '../commands/agree-arrangement.handler';
import {
  ExtendPartnershipCommand,
  ExtendPartnershipRequest,
} from '../commands/extend-partnership.handler';
import { EndPartnershipCommand, EndPartnershipRequest } from '../commands/end-partnership.handler';

/** The acting principal while the server runs without authentication. */
const ANONYMOUS = null;

@Resolver('Mutation')
export class MutationResolver {
  constructor(private readonly commandBus: CommandBus) {}

  @Mutation()
  registerOrganization(@Args('input') input: RegisterOrganizationRequest): Promise<CommandResult> {
    return this.commandBus.execute(new RegisterOrganizationCommand(input, ANONYMOUS));
  }

  @Mutation()
  assessCapability(@Args('input') input: AssessCapabilityRequest): Promise<CommandResult> {
    return this.commandBus.execute(new AssessCapabilityCommand(input, ANONYMOUS));
  }

  @Mutation()
  foundGroup(@Args('input') input: FoundGroupRequest): Promise<CommandResult> {
    return this.commandBus.execute(new FoundGroupCommand(input, ANONYMOUS));
  }

  @Mutation()
  joinGroup(@Args('input') input: JoinGroupRequest): Promise<CommandResult> {
    return this.commandBus.execute(new JoinGroupCommand(input, ANONYMOUS));
  }

  @Mutation()
  changePosition(@Args('input') input: ChangePositionRequest): Promise<CommandResult> {
    return this.commandBus.execute(new ChangePositionCommand(input, ANONYMOUS));
  }

  @Mutation()
  leaveGroup(@Args('input') input: LeaveGroupRequest): Promise<CommandResult> {
    return this.commandBus.execute(new LeaveGroupCommand(input, ANONYMOUS));
  }

  @Mutation()
  dissolveGroup(@Args('input') input: DissolveGroupRequest): Promise<CommandResult> {
    return this.commandBus.execute(new DissolveGroupCommand(input, ANONYMOUS));
  }

  @Mutation()
  formPartnership(@Args('input') input: FormPartnershipRequest): Promise<CommandResult> {
    return this.commandBus.execute(new FormPartnershipCommand(input, ANONYMOUS));
  }

  @Mutation()
  agreeArrangement(@Args('input') input: AgreeArrangementRequest): Promise<CommandResult> {
    return this.commandBus.execute(new AgreeArrangementCommand(input, ANONYMOUS));
  }

  @Mutation()
  extendPartnership(@Args('input') input: ExtendPartnershipRequest): Promise<CommandResult> {
    return this.commandBus.execute(new ExtendPartnershipCommand(input, ANONYMOUS));
  }

  @Mutation()
  endPartnership(@Args('input') input: EndPartnershipRequest): Promise<CommandResult> {
    return this.commandBus.execute(new EndPartnershipCommand(input, ANONYMOUS));
  }
}
