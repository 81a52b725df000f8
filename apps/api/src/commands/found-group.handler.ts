import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import { FoundGroupInput, parseFoundGroup } from '@partnerships/domain/group/found-group';
import { CommandRecorder, CommandResult } from './command-recorder';

export type FoundGroupRequest = Omit<FoundGroupInput, 'id'> & {
  readonly id?: string | null;
  readonly commandId?: string | null;
};

export class FoundGroupCommand extends Command<CommandResult> {
  constructor(
    readonly input: FoundGroupRequest,
    readonly actor: string | null,
  ) {
    super();
  }
}

@CommandHandler(FoundGroupCommand)
export class FoundGroupHandler implements ICommandHandler<FoundGroupCommand, CommandResult> {
  constructor(private readonly recorder: CommandRecorder) {}

  execute({ input, actor }: FoundGroupCommand): Promise<CommandResult> {
    return this.recorder.record({ name: 'foundGroup', input, actor }, (input) =>
      parseFoundGroup({ ...input, id: input.id ?? randomUUID() }),
    );
  }
}
