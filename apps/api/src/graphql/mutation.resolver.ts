import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { CommandBus } from '@nestjs/cqrs';
import { Allow } from '../auth/allow.decorator';
import { Principal } from '../auth/principal';
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
import {
  RecordInterventionCommand,
  RecordInterventionRequest,
} from '../commands/record-intervention.handler';

/** Every command is a manager's; its principal is recorded as the actor of its events. */
@Resolver('Mutation')
@Allow('manager')
export class MutationResolver {
  constructor(private readonly commandBus: CommandBus) {}

  @Mutation()
  registerOrganization(
    @Args('input') input: RegisterOrganizationRequest,
    @Context('principal') principal: Principal,
  ): Promise<CommandResult> {
    return this.commandBus.execute(new RegisterOrganizationCommand(input, principal.id));
  }

  @Mutation()
  assessCapability(
    @Args('input') input: AssessCapabilityRequest,
    @Context('principal') principal: Principal,
  ): Promise<CommandResult> {
    return this.commandBus.execute(new AssessCapabilityCommand(input, principal.id));
  }

  @Mutation()
  foundGroup(
    @Args('input') input: FoundGroupRequest,
    @Context('principal') principal: Principal,
  ): Promise<CommandResult> {
    return this.commandBus.execute(new FoundGroupCommand(input, principal.id));
  }

  @Mutation()
  joinGroup(
    @Args('input') input: JoinGroupRequest,
    @Context('principal') principal: Principal,
  ): Promise<CommandResult> {
    return this.commandBus.execute(new JoinGroupCommand(input, principal.id));
  }

  @Mutation()
  changePosition(
    @Args('input') input: ChangePositionRequest,
    @Context('principal') principal: Principal,
  ): Promise<CommandResult> {
    return this.commandBus.execute(new ChangePositionCommand(input, principal.id));
  }

  @Mutation()
  leaveGroup(
    @Args('input') input: LeaveGroupRequest,
    @Context('principal') principal: Principal,
  ): Promise<CommandResult> {
    return this.commandBus.execute(new LeaveGroupCommand(input, principal.id));
  }

  @Mutation()
  dissolveGroup(
    @Args('input') input: DissolveGroupRequest,
    @Context('principal') principal: Principal,
  ): Promise<CommandResult> {
    return this.commandBus.execute(new DissolveGroupCommand(input, principal.id));
  }

  @Mutation()
  formPartnership(
    @Args('input') input: FormPartnershipRequest,
    @Context('principal') principal: Principal,
  ): Promise<CommandResult> {
    return this.commandBus.execute(new FormPartnershipCommand(input, principal.id));
  }

  @Mutation()
  agreeArrangement(
    @Args('input') input: AgreeArrangementRequest,
    @Context('principal') principal: Principal,
  ): Promise<CommandResult> {
    return this.commandBus.execute(new AgreeArrangementCommand(input, principal.id));
  }

  @Mutation()
  extendPartnership(
    @Args('input') input: ExtendPartnershipRequest,
    @Context('principal') principal: Principal,
  ): Promise<CommandResult> {
    return this.commandBus.execute(new ExtendPartnershipCommand(input, principal.id));
  }

  @Mutation()
  endPartnership(
    @Args('input') input: EndPartnershipRequest,
    @Context('principal') principal: Principal,
  ): Promise<CommandResult> {
    return this.commandBus.execute(new EndPartnershipCommand(input, principal.id));
  }

  @Mutation()
  recordIntervention(
    @Args('input') input: RecordInterventionRequest,
    @Context('principal') principal: Principal,
  ): Promise<CommandResult> {
    return this.commandBus.execute(new RecordInterventionCommand(input, principal.id));
  }
}
