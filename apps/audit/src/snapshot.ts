import type { EventStore } from '@partnerships/event-store/event-store';
import { LogPage } from '@partnerships/event-store/log-page';
import { Connection, MAX_PAGE_SIZE } from '@partnerships/projections/cursor';
import { NetworkProjection } from '@partnerships/projections/network-projection';
import { EventReader, NetworkView } from '@partnerships/projections/network-view';
import { GroupNode, OrganizationNode, PartnershipNode } from '@partnerships/projections/nodes';
import { readLog } from './cli-support';

/**
 * The selection of `Query.network` a snapshot holds: `audit snapshot` writes the same JSON
 * as `data.network` of this query for the same times (every entity on one page).
 */
export const SNAPSHOT_QUERY = `query Snapshot($asOf: DateTime, $knownAt: DateTime) {
  network(asOf: $asOf, knownAt: $knownAt) {
    asOf
    knownAt
    stats {
      organizations groups activeGroups activeMemberships
      membersByPosition { core ring freeSpace }
      activePartnerships endedPartnerships overduePartnerships
    }
    organizations(first: 500) {
      totalCount
      edges { cursor node {
        id name registeredAt version
        capability { ambition realized gap notes assessedAt }
        memberships(includeEnded: true) {
          group { id } position joinedAt positionSince leftAt
          positions { position from until }
        }
      } }
    }
    groups(first: 500) {
      totalCount
      edges { cursor node {
        id name purpose foundedAt dissolvedAt version
        members(includeEnded: true) { organization { id } position joinedAt leftAt }
      } }
    }
    partnerships(first: 500) {
      totalCount
      edges { cursor node {
        id name purpose parties { id } group { id } startedAt intendedEndAt endedAt endReason
        status termStatus version
        arrangements { id title terms agreedAt validUntil endedAt }
      } }
    }
  }
}`;

export type Json = null | string | number | boolean | Json[] | { [key: string]: Json };

const time = (date: Date | null): string | null => (date === null ? null : date.toISOString());

export async function snapshotOf(
  store: EventStore,
  asOf: Date,
  knownAt: Date | undefined,
  stderr: NodeJS.WritableStream,
): Promise<Json> {
  const projection = new NetworkProjection();
  // Applied a page at a time, by row, as the server's rebuild applies them.
  await readLog(
    store,
    'snapshot',
    stderr,
    () => undefined,
    (_after, events) => {
      const page = LogPage.ofEvents(events);
      for (let row = 0; row < page.length; row++) projection.applyRow(page, row);
    },
  );
  return networkOf(projection, store, asOf, knownAt);
}

/** `data.network` of {@link SNAPSHOT_QUERY} on a projection, at a pair of times. */
export async function networkOf(
  projection: NetworkProjection,
  store: EventReader,
  asOf: Date,
  knownAt: Date | undefined,
): Promise<Json> {
  // As the server does: a knownAt later than now is now.
  const now = new Date();
  const known = knownAt === undefined || knownAt.getTime() > now.getTime() ? now : knownAt;
  const view = new NetworkView(projection, asOf, known, store);
  const stats = view.stats();
  return {
    asOf: time(view.asOf),
    knownAt: time(view.knownAt),
    stats: { ...stats, membersByPosition: { ...stats.membersByPosition } },
    organizations: await everything(
      (page) => view.organizations(page),
      (node) => organization(view, node),
    ),
    groups: await everything(
      (page) => view.groups(page),
      (node) => group(view, node),
    ),
    partnerships: await everything(
      (page) => view.partnerships({}, page),
      (node) => partnership(view, node),
    ),
  };
}

/** Every page of a connection as one: edges and totalCount. */
async function everything<N>(
  page: (page: { first: number; after: string | null }) => Connection<N>,
  shape: (node: N) => Json | Promise<Json>,
): Promise<Json> {
  const edges: Json[] = [];
  let after: string | null = null;
  let totalCount = 0;
  for (;;) {
    const connection = page({ first: MAX_PAGE_SIZE, after });
    totalCount = connection.totalCount;
    for (const edge of connection.edges)
      edges.push({ cursor: edge.cursor, node: await shape(edge.node) });
    if (!connection.pageInfo.hasNextPage) break;
    after = connection.pageInfo.endCursor;
  }
  return { totalCount, edges };
}

function organization(view: NetworkView, node: OrganizationNode): Json {
  const capability = node.capability;
  return {
    id: node.id,
    name: node.name,
    registeredAt: time(node.registeredAt),
    version: node.version,
    capability:
      capability === null
        ? null
        : {
            ambition: capability.ambition,
            realized: capability.realized,
            gap: capability.gap,
            notes: capability.notes,
            assessedAt: time(capability.assessedAt),
          },
    memberships: view.memberships(node, true).map((membership) => ({
      group: { id: membership.group.id },
      position: membership.position,
      joinedAt: time(membership.joinedAt),
      positionSince: time(membership.positionSince),
      leftAt: time(membership.leftAt),
      positions: membership.positions.map((period) => ({
        position: period.position,
        from: time(period.from),
        until: time(period.until),
      })),
    })),
  };
}

function group(view: NetworkView, node: GroupNode): Json {
  return {
    id: node.id,
    name: node.name,
    purpose: node.purpose,
    foundedAt: time(node.foundedAt),
    dissolvedAt: time(node.dissolvedAt),
    version: node.version,
    members: view.members(node, null, true).map((membership) => ({
      organization: { id: membership.organization.id },
      position: membership.position,
      joinedAt: time(membership.joinedAt),
      leftAt: time(membership.leftAt),
    })),
  };
}

async function partnership(view: NetworkView, node: PartnershipNode): Promise<Json> {
  const groupOf = view.groupOf(node);
  return {
    id: node.id,
    name: node.name,
    purpose: node.purpose,
    parties: view.parties(node).map((party) => ({ id: party.id })),
    group: groupOf === null ? null : { id: groupOf.id },
    startedAt: time(node.startedAt),
    intendedEndAt: time(node.intendedEndAt),
    endedAt: time(node.endedAt),
    endReason: node.endReason,
    status: node.status,
    termStatus: node.termStatus,
    version: node.version,
    arrangements: (await view.arrangements(node)).map((arrangement) => ({
      id: arrangement.id,
      title: arrangement.title,
      terms: arrangement.terms,
      agreedAt: time(arrangement.agreedAt),
      validUntil: time(arrangement.validUntil),
      endedAt: time(arrangement.endedAt),
    })),
  };
}
