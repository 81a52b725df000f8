import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  ExtendPartnershipInput,
  parseExtendPartnership,
} from '@partnerships/domain/partnership/extend-partnership';
import { CommandRecorder, CommandResult } from './command-recorder';

export type ExtendPartnershipRequest = ExtendPartnershipInput & {
  readonly commandId?: string | null;
};

export class ExtendPartnershipCommand extends Command<CommandResult> {
  constructor(
    readonly input: ExtendPartnershipRequest,
    readonly actor: string | null,
  ) {
    super();
  }
}

@CommandHandler(ExtendPartnershipCommand)
export class ExtendPartnershipHandler implements ICommandHandler<
  ExtendPartnershipCommand,
  CommandResult
> {
  constructor(private readonly recorder: CommandRecorder) {}

  execute({ input, actor }: ExtendPartnershipCommand): Promise<CommandResult> {
    return this.recorder.record(
      { name: 'extendPartnership', input, actor },
      parseExtendPartnership,
    );
  }
}
