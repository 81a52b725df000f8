import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  EndPartnershipInput,
  parseEndPartnership,
} from '@partnerships/domain/partnership/end-partnership';
import { CommandRecorder, CommandResult } from './command-recorder';

export type EndPartnershipRequest = EndPartnershipInput & { readonly commandId?: string | null };

export class EndPartnershipCommand extends Command<CommandResult> {
  constructor(
    readonly input: EndPartnershipRequest,
    readonly actor: string | null,
  ) {
    super();
  }
}

@CommandHandler(EndPartnershipCommand)
export class EndPartnershipHandler implements ICommandHandler<
  EndPartnershipCommand,
  CommandResult
> {
  constructor(private readonly recorder: CommandRecorder) {}

  execute({ input, actor }: EndPartnershipCommand): Promise<CommandResult> {
    return this.recorder.record({ name: 'endPartnership', input, actor }, parseEndPartnership);
  }
}
