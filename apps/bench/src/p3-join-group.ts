/**
 * P3's JoinGroup row: joining a group that already holds 20,000 memberships against joining
 * a new group, one request at a time, alternately, on the same server in one run. The large
 * group is written into the server's store file by this process, through the store's own API
 * (a few hundred appends), not through 40,000 requests; the server follows it as it follows
 * any other writer of the file.
 */
import { randomUUID } from 'node:crypto';
import { DomainEvent } from '@partnerships/domain/commands';
import { envelopesOf } from '@partnerships/event-store/event-envelope';
import { EventToAppend } from '@partnerships/event-store/event-store';
import { SqliteEventStore } from '@partnerships/event-store/sqlite/sqlite-event-store';
import { median, percentile, say, sleep } from './progress';
import { ServerProcess } from './server-process';
import { Row, formatCount, formatMs, formatPercent, verdict } from './table';

export const LARGE_GROUP = 'bench-large-group';
const NEW_GROUP = 'bench-new-group';
const MEMBERSHIPS = 20_000;
const JOINS_PER_APPEND = 500;
const REGISTRATIONS_AT_ONCE = 1_000;

export interface JoinGroupOptions {
  /** Joins measured on each group. */
  readonly joins: number;
  /** Joins on each group before the measured ones, not counted. */
  readonly warmup: number;
}

function envelope(events: readonly DomainEvent[]): EventToAppend[] {
  return envelopesOf(events, {
    commandId: randomUUID(),
    actor: null,
    commandDigest: 'bench',
    effectiveAt: undefined,
  });
}

const memberId = (n: number): string => `bench-large-member-${n}`;
const joinerId = (group: string, n: number): string => `${group}-joiner-${n}`;

/**
 * Writes the large group (founded, 20,000 organisations registered and joined) and the
 * organisations the measured joins will add to either group.
 */
export async function writeLargeGroup(file: string, options: JoinGroupOptions): Promise<void> {
  say(`P3 writing group ${LARGE_GROUP} with ${formatCount(MEMBERSHIPS)} members into the store`);
  const store = SqliteEventStore.open(file);
  try {
    const joiners = options.joins + options.warmup;
    const organizations = [
      ...Array.from({ length: MEMBERSHIPS }, (_, n) => memberId(n)),
      ...Array.from({ length: joiners }, (_, n) => joinerId(LARGE_GROUP, n)),
      ...Array.from({ length: joiners }, (_, n) => joinerId(NEW_GROUP, n)),
    ];
    for (let from = 0; from < organizations.length; from += REGISTRATIONS_AT_ONCE) {
      await Promise.all(
        organizations
          .slice(from, from + REGISTRATIONS_AT_ONCE)
          .map((organizationId) =>
            store.append(
              `organization-${organizationId}`,
              envelope([
                { type: 'OrganizationRegistered', data: { organizationId, name: organizationId } },
              ]),
              0,
            ),
          ),
      );
    }
    const groupStreamId = `group-${LARGE_GROUP}`;
    let version = 0;
    const append = async (events: readonly DomainEvent[]): Promise<void> => {
      version = (await store.append(groupStreamId, envelope(events), version)).nextVersion;
    };
    await append([
      {
        type: 'GroupFounded',
        data: { groupId: LARGE_GROUP, name: 'Bench large group', purpose: null },
      },
    ]);
    for (let from = 0; from < MEMBERSHIPS; from += JOINS_PER_APPEND) {
      const joins: DomainEvent[] = [];
      for (let n = from; n < Math.min(from + JOINS_PER_APPEND, MEMBERSHIPS); n++) {
        joins.push({
          type: 'OrganizationJoinedGroup',
          data: { groupId: LARGE_GROUP, organizationId: memberId(n), position: 'RING' },
        });
      }
      await append(joins);
    }
  } finally {
    await store.close();
  }
}

/** Resolves once the server's read model holds every membership of the large group. */
export async function waitForLargeGroup(server: ServerProcess, timeoutMs = 300_000): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const { group } = await server.gql<{ group: { version: number } | null }>(
      `{ group(id: "${LARGE_GROUP}") { version } }`,
    );
    if (group !== null && group.version >= MEMBERSHIPS + 1) return;
    if (performance.now() > deadline) {
      throw new Error(`the server did not reach ${LARGE_GROUP}'s last membership in time`);
    }
    await sleep(100);
  }
}

export interface JoinGroupFigures {
  readonly large: readonly number[];
  readonly small: readonly number[];
}

/** Joins alternately on the large group and on a group founded now; returns both latencies. */
export async function measureJoins(
  server: ServerProcess,
  options: JoinGroupOptions,
): Promise<JoinGroupFigures> {
  await server.gql(
    `mutation { foundGroup(input: { id: "${NEW_GROUP}", name: "Bench new group" }) { id } }`,
  );
  const join = async (group: string, n: number): Promise<number> => {
    const started = performance.now();
    await server.gql(
      `mutation { joinGroup(input: { groupId: "${group}", organizationId: "${joinerId(group, n)}", position: CORE }) { version } }`,
    );
    return performance.now() - started;
  };
  const large: number[] = [];
  const small: number[] = [];
  for (let n = 0; n < options.warmup + options.joins; n++) {
    const onLarge = await join(LARGE_GROUP, n);
    const onSmall = await join(NEW_GROUP, n);
    if (n >= options.warmup) {
      large.push(onLarge);
      small.push(onSmall);
    }
  }
  say(
    `P3 joinGroup p50: ${formatMs(median(large))} on ${formatCount(MEMBERSHIPS)} members, ${formatMs(median(small))} on a new group`,
  );
  return { large, small };
}

export function joinGroupRow({ large, small }: JoinGroupFigures): Row {
  const ratio = median(large) / median(small);
  return {
    figure: `P3 joinGroup p50 on a group of ${formatCount(MEMBERSHIPS)} membership events vs a new group, one request at a time (${formatCount(large.length)} each, alternately)`,
    ours: `${formatMs(median(large))} (p95 ${formatMs(p95(large))})`,
    baseline: `new group: ${formatMs(median(small))} (p95 ${formatMs(p95(small))})`,
    ratio: formatPercent(ratio),
    target: '≤ 120 %',
    met: verdict(ratio, '<=', 1.2),
  };
}

function p95(values: readonly number[]): number {
  return percentile(
    [...values].sort((a, b) => a - b),
    95,
  );
}
