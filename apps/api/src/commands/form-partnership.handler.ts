import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  FormPartnershipInput,
  parseFormPartnership,
} from '@partnerships/domain/partnership/form-partnership';
import { CommandRecorder, CommandResult } from './command-recorder';

export type FormPartnershipRequest = Omit<FormPartnershipInput, 'id'> & {
  readonly id?: string | null;
  readonly commandId?: string | null;
};

export class FormPartnershipCommand extends Command<CommandResult> {
  constructor(
    readonly input: FormPartnershipRequest,
    readonly actor: string | null,
  ) {
    super();
  }
}

@CommandHandler(FormPartnershipCommand)
export class FormPartnershipHandler implements ICommandHandler<
  FormPartnershipCommand,
  CommandResult
> {
  constructor(private readonly recorder: CommandRecorder) {}

  execute({ input, actor }: FormPartnershipCommand): Promise<CommandResult> {
    return this.recorder.record({ name: 'formPartnership', input, actor }, (input) =>
      parseFormPartnership({ ...input, id: input.id ?? randomUUID() }),
    );
  }
}
