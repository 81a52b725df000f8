import { Args, Context, Mutation, Resolver } from '@nestjs/graphql';
import { CommandBus } from '@nestjs/cqrs';
import { Allow } from '../auth/allow.decorator';
import { Principal } from '../auth/principal';
import { CommandResult, RecordCommand } from '../commands/command-recorder';
import { COMMAND_NAMES, CommandName } from '../commands/command-table';
import { ReadModel } from '../read-model/read-model';

/**
 * One Mutation field per row of the command table. Every command is a manager's; its
 * principal is recorded as the actor of its events.
 */
@Resolver('Mutation')
@Allow('manager')
export class MutationResolver {
  // Every method of a resolver class is served as a field; the fields are added below.
  constructor(
    readonly commandBus: CommandBus,
    readonly readModel: ReadModel,
  ) {}
}

/**
 * Records the command, then answers once the read model holds its events: a query sent
 * after the answer sees them (read-your-writes). Deciding never waits for the read model.
 */
async function run(
  { commandBus, readModel }: MutationResolver,
  name: CommandName,
  input: unknown,
  principal: Principal,
): Promise<CommandResult> {
  // GraphQL has checked `input` against the row's input type before it gets here.
  const request = { name, input, actor: principal.id } as RecordCommand['request'];
  const result = await commandBus.execute(new RecordCommand(request));
  await readModel.caughtUp();
  return result;
}

for (const name of COMMAND_NAMES) {
  const prototype = MutationResolver.prototype as unknown as Record<string, unknown>;
  Object.defineProperty(prototype, name, {
    value: {
      [name](this: MutationResolver, input: unknown, principal: Principal) {
        return run(this, name, input, principal);
      },
    }[name],
    writable: true,
    configurable: true,
  });
  Args('input')(prototype, name, 0);
  Context('principal')(prototype, name, 1);
  Mutation(name)(prototype, name, Object.getOwnPropertyDescriptor(prototype, name)!);
}
