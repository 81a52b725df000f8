import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  AgreeArrangementInput,
  parseAgreeArrangement,
} from '@partnerships/domain/partnership/agree-arrangement';
import { CommandRecorder, CommandResult } from './command-recorder';

export type AgreeArrangementRequest = Omit<AgreeArrangementInput, 'arrangementId'> & {
  readonly arrangementId?: string | null;
  readonly commandId?: string | null;
};

export class AgreeArrangementCommand extends Command<CommandResult> {
  constructor(
    readonly input: AgreeArrangementRequest,
    readonly actor: string | null,
  ) {
    super();
  }
}

@CommandHandler(AgreeArrangementCommand)
export class AgreeArrangementHandler implements ICommandHandler<
  AgreeArrangementCommand,
  CommandResult
> {
  constructor(private readonly recorder: CommandRecorder) {}

  execute({ input, actor }: AgreeArrangementCommand): Promise<CommandResult> {
    return this.recorder.record({ name: 'agreeArrangement', input, actor }, (input) =>
      parseAgreeArrangement({ ...input, arrangementId: input.arrangementId ?? randomUUID() }),
    );
  }
}
