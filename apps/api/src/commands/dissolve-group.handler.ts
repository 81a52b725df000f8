import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { DissolveGroupInput, parseDissolveGroup } from '@partnerships/domain/group/dissolve-group';
import { CommandRecorder, CommandResult } from './command-recorder';

export type DissolveGroupRequest = DissolveGroupInput & { readonly commandId?: string | null };

export class DissolveGroupCommand extends Command<CommandResult> {
  constructor(
    readonly input: DissolveGroupRequest,
    readonly actor: string | null,
  ) {
    super();
  }
}

@CommandHandler(DissolveGroupCommand)
export class DissolveGroupHandler implements ICommandHandler<DissolveGroupCommand, CommandResult> {
  constructor(private readonly recorder: CommandRecorder) {}

  execute({ input, actor }: DissolveGroupCommand): Promise<CommandResult> {
    return this.recorder.record({ name: 'dissolveGroup', input, actor }, parseDissolveGroup);
  }
}
