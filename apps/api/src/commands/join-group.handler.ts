import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { JoinGroupInput, parseJoinGroup } from '@partnerships/domain/group/join-group';
import { CommandRecorder, CommandResult } from './command-recorder';

export type JoinGroupRequest = JoinGroupInput & { readonly commandId?: string | null };

export class JoinGroupCommand extends Command<CommandResult> {
  constructor(
    readonly input: JoinGroupRequest,
    readonly actor: string | null,
  ) {
    super();
  }
}

@CommandHandler(JoinGroupCommand)
export class JoinGroupHandler implements ICommandHandler<JoinGroupCommand, CommandResult> {
  constructor(private readonly recorder: CommandRecorder) {}

  execute({ input, actor }: JoinGroupCommand): Promise<CommandResult> {
    return this.recorder.record({ name: 'joinGroup', input, actor }, parseJoinGroup);
  }
}
