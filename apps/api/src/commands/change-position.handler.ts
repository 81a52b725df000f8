import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  ChangePositionInput,
  parseChangePosition,
} from '@partnerships/domain/group/change-position';
import { CommandRecorder, CommandResult } from './command-recorder';

export type ChangePositionRequest = ChangePositionInput & { readonly commandId?: string | null };

export class ChangePositionCommand extends Command<CommandResult> {
  constructor(
    readonly input: ChangePositionRequest,
    readonly actor: string | null,
  ) {
    super();
  }
}

@CommandHandler(ChangePositionCommand)
export class ChangePositionHandler implements ICommandHandler<
  ChangePositionCommand,
  CommandResult
> {
  constructor(private readonly recorder: CommandRecorder) {}

  execute({ input, actor }: ChangePositionCommand): Promise<CommandResult> {
    return this.recorder.record({ name: 'changePosition', input, actor }, parseChangePosition);
  }
}
