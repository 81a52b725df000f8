import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  AssessCapabilityInput,
  parseAssessCapability,
} from '@partnerships/domain/organization/assess-capability';
import { CommandRecorder, CommandResult } from './command-recorder';

export type AssessCapabilityRequest = AssessCapabilityInput & {
  readonly commandId?: string | null;
};

export class AssessCapabilityCommand extends Command<CommandResult> {
  constructor(
    readonly input: AssessCapabilityRequest,
    readonly actor: string | null,
  ) {
    super();
  }
}

@CommandHandler(AssessCapabilityCommand)
export class AssessCapabilityHandler implements ICommandHandler<
  AssessCapabilityCommand,
  CommandResult
> {
  constructor(private readonly recorder: CommandRecorder) {}

  execute({ input, actor }: AssessCapabilityCommand): Promise<CommandResult> {
    return this.recorder.record({ name: 'assessCapability', input, actor }, parseAssessCapability);
  }
}
