import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { LeaveGroupInput, parseLeaveGroup } from '@partnerships/domain/group/leave-group';
import { CommandRecorder, CommandResult } from './command-recorder';

export type LeaveGroupRequest = LeaveGroupInput & { readonly commandId?: string | null };

export class LeaveGroupCommand extends Command<CommandResult> {
  constructor(
    readonly input: LeaveGroupRequest,
    readonly actor: string | null,
  ) {
    super();
  }
}

@CommandHandler(LeaveGroupCommand)
export class LeaveGroupHandler implements ICommandHandler<LeaveGroupCommand, CommandResult> {
  constructor(private readonly recorder: CommandRecorder) {}

  execute({ input, actor }: LeaveGroupCommand): Promise<CommandResult> {
    return this.recorder.record({ name: 'leaveGroup', input, actor }, parseLeaveGroup);
  }
}
