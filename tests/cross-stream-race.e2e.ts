import 'reflect-metadata';
import { join } from 'node:path';
import { Logger } from '@nestjs/common';
import { Effective } from '@partnerships/domain/common/command';
import { DomainError, RuleViolationError } from '@partnerships/domain/common/errors';
import {
  GroupEvent,
  GroupState,
  evolveGroup,
  initialGroupState,
  isMemberAt,
} from '@partnerships/domain/group/group';
import { RecordedEvent } from '@partnerships/event-store/event-store';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';
import { CommandRecorder } from '../apps/api/src/commands/command-recorder';
import { ReadModel } from '../apps/api/src/read-model/read-model';
import { Execute, commandHandlers } from './support/command-handlers';
import { MutationName } from './support/commands';
import { report } from './support/report';
import { temporaryDirectory } from './support/test-server';

/**
 * A cross-stream decision under concurrency: FormPartnership reads the group to check that
 * every party is a member, while LeaveGroup changes that group. Two writers, each with its
 * own connection to one SQLite file (as two server processes would have), send the two
 * commands at the same moment, many times, through the real handlers and CommandRecorder.
 * Both decisions are made before either append commits, so whichever commits second was
 * decided on a stale group. Afterwards the log must hold no partnership formed with a party
 * that had left the group (in commit order) by the partnership's start.
 */

const ROUNDS = 60;

interface Writer {
  readonly store: SqliteEventStore;
  readonly readModel: ReadModel;
  readonly handlers: Record<MutationName, Execute>;
}

async function openWriter(file: string): Promise<Writer> {
  const store = SqliteEventStore.open(file);
  const readModel = new ReadModel(store);
  await readModel.onModuleInit();
  return { store, readModel, handlers: commandHandlers(new CommandRecorder(store)) };
}

async function outcome(run: Promise<unknown>): Promise<'recorded' | string> {
  try {
    await run;
    return 'recorded';
  } catch (error) {
    if (error instanceof RuleViolationError) return error.rule;
    if (error instanceof DomainError) return error.code;
    throw error;
  }
}

describe('LeaveGroup racing FormPartnership on the same group', () => {
  const directory = temporaryDirectory();
  const file = join(directory.path, 'events.db');
  let former: Writer;
  let leaver: Writer;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    former = await openWriter(file);
    leaver = await openWriter(file);
    for (const id of ['a', 'b']) {
      await former.handlers.registerOrganization({ id, name: id.toUpperCase() });
    }
    await former.handlers.foundGroup({ id: 'g', name: 'G' });
    await former.handlers.joinGroup({ groupId: 'g', organizationId: 'a', position: 'CORE' });
  });

  afterAll(async () => {
    await former.store.close();
    await leaver.store.close();
    directory.remove();
  });

  it('never records a partnership with a party that had left the group by its start', async () => {
    const outcomes = { formed: 0, refused: 0, left: 0 };
    for (let round = 0; round < ROUNDS; round++) {
      await leaver.handlers.joinGroup({ groupId: 'g', organizationId: 'b', position: 'RING' });
      const form = () =>
        former.handlers.formPartnership({
          id: `p${round}`,
          name: `P${round}`,
          partyIds: ['a', 'b'],
          groupId: 'g',
          intendedEndAt: new Date(Date.now() + 365 * 24 * 60 * 60 * 1000),
        });
      const leave = () => leaver.handlers.leaveGroup({ groupId: 'g', organizationId: 'b' });
      // Either may be sent first: both orders of commit must occur.
      const [formed, left] =
        round % 2 === 0
          ? await Promise.all([outcome(form()), outcome(leave())])
          : await Promise.all([outcome(leave()), outcome(form())]).then(([l, f]) => [f, l]);
      expect(['recorded', 'PARTY_NOT_IN_GROUP']).toContain(formed);
      expect(left).toBe('recorded');
      if (formed === 'recorded') outcomes.formed++;
      else outcomes.refused++;
      outcomes.left++;
    }

    // The log as it is in the file, read by a third connection.
    const reader = SqliteEventStore.open(file);
    const log: RecordedEvent[] = [];
    for (let page = await reader.readAll({ limit: 1000 }); page.length > 0;) {
      log.push(...page);
      page = await reader.readAll({ after: page.at(-1)?.position, limit: 1000 });
    }
    await reader.close();

    let group: GroupState = initialGroupState;
    const violations: string[] = [];
    let partnerships = 0;
    for (const event of log) {
      if (event.streamId === 'group-g') {
        group = evolveGroup(group, event as unknown as Effective<GroupEvent>);
      } else if (event.type === 'PartnershipFormed') {
        partnerships++;
        for (const party of event.data['partyIds'] as string[]) {
          if (!isMemberAt(group, party, event.effectiveAt)) {
            violations.push(
              `${event.streamId}: ${party} was not a member at ${event.effectiveAt.toISOString()}`,
            );
          }
        }
      }
    }

    report(
      `race rounds=${ROUNDS} formed=${outcomes.formed} refused=${outcomes.refused} left=${outcomes.left}`,
    );
    expect(violations).toEqual([]);
    expect(partnerships).toBe(outcomes.formed);
    // Both interleavings happened: the test raced for real.
    expect(outcomes.formed).toBeGreaterThan(0);
    expect(outcomes.refused).toBeGreaterThan(0);
  });
});
