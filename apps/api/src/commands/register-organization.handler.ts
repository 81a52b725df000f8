import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  RegisterOrganizationInput,
  parseRegisterOrganization,
} from '@partnerships/domain/organization/register-organization';
import { CommandRecorder, CommandResult } from './command-recorder';

export type RegisterOrganizationRequest = Omit<RegisterOrganizationInput, 'id'> & {
  readonly id?: string | null;
  readonly commandId?: string | null;
};

export class RegisterOrganizationCommand extends Command<CommandResult> {
  constructor(
    readonly input: RegisterOrganizationRequest,
    readonly actor: string | null,
  ) {
    super();
  }
}

@CommandHandler(RegisterOrganizationCommand)
export class RegisterOrganizationHandler implements ICommandHandler<
  RegisterOrganizationCommand,
  CommandResult
> {
  constructor(private readonly recorder: CommandRecorder) {}

  execute({ input, actor }: RegisterOrganizationCommand): Promise<CommandResult> {
    return this.recorder.record({ name: 'registerOrganization', input, actor }, (input) =>
      parseRegisterOrganization({ ...input, id: input.id ?? randomUUID() }),
    );
  }
}
