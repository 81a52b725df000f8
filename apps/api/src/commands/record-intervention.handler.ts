import { randomUUID } from 'node:crypto';
import { Command, CommandHandler, ICommandHandler } from '@nestjs/cqrs';
import {
  RecordInterventionInput,
  parseRecordIntervention,
} from '@partnerships/domain/intervention/record-intervention';
import { CommandRecorder, CommandResult } from './command-recorder';

export type RecordInterventionRequest = Omit<RecordInterventionInput, 'interventionId'> & {
  readonly interventionId?: string | null;
  readonly commandId?: string | null;
};

export class RecordInterventionCommand extends Command<CommandResult> {
  constructor(
    readonly input: RecordInterventionRequest,
    readonly actor: string | null,
  ) {
    super();
  }
}

@CommandHandler(RecordInterventionCommand)
export class RecordInterventionHandler implements ICommandHandler<
  RecordInterventionCommand,
  CommandResult
> {
  constructor(private readonly recorder: CommandRecorder) {}

  execute({ input, actor }: RecordInterventionCommand): Promise<CommandResult> {
    return this.recorder.record({ name: 'recordIntervention', input, actor }, (input) =>
      parseRecordIntervention({ ...input, interventionId: input.interventionId ?? randomUUID() }),
    );
  }
}
