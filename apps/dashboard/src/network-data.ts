/**
 * The network at one pair of times, as the page uses it: every page of the `network`
 * query gathered, dissolved groups and ended partnerships left out (the chosen time says
 * they no longer exist), organisations in no group listed apart.
 */
import { GroupFocusDocument, NetworkDocument, NetworkQuery, TermStatus } from './graphql/generated';
import { request } from './graphql/client';
import { Position } from './layout/rings';
import { Snapshot } from './layout/compare';

export interface MemberData {
  readonly organizationId: string;
  readonly name: string;
  readonly position: Position;
  readonly joinedAt: string;
  readonly positionSince: string;
}

export interface GroupData {
  readonly id: string;
  readonly name: string;
  readonly foundedAt: string;
  readonly members: readonly MemberData[];
}

export interface PartnershipData {
  readonly id: string;
  readonly name: string;
  readonly startedAt: string;
  readonly intendedEndAt: string;
  readonly termStatus: TermStatus;
  readonly groupId: string | null;
  readonly partyIds: readonly string[];
}

export interface NetworkData extends Snapshot {
  readonly asOf: string;
  readonly knownAt: string;
  readonly stats: NetworkQuery['network']['stats'];
  readonly groups: readonly GroupData[];
  readonly partnerships: readonly PartnershipData[];
  readonly organizations: ReadonlyMap<
    string,
    { readonly name: string; readonly registeredAt: string }
  >;
  /** Organisations registered at this time and in no group. */
  readonly loose: readonly string[];
  /** Groups dissolved by this time (kept for the table, not drawn). */
  readonly dissolvedGroups: number;
  /** The group this view was focused on when it was loaded; null for the whole network. */
  readonly focus: string | null;
}

export async function loadNetwork(
  times: { asOf?: string; knownAt?: string },
  signal?: AbortSignal,
): Promise<NetworkData> {
  const groups: GroupData[] = [];
  const partnerships: PartnershipData[] = [];
  const organizations = new Map<string, { name: string; registeredAt: string }>();
  let dissolvedGroups = 0;
  let cursors: { groupsAfter?: string; partnershipsAfter?: string; organizationsAfter?: string } =
    {};
  let more = { groups: true, partnerships: true, organizations: true };
  let first: NetworkQuery['network'] | undefined;
  while (more.groups || more.partnerships || more.organizations) {
    const { network } = await request(NetworkDocument, { ...times, ...cursors }, signal);
    first ??= network;
    if (more.groups) {
      for (const { node } of network.groups.edges) {
        if (node.dissolvedAt !== null) {
          dissolvedGroups++;
          continue;
        }
        groups.push({
          id: node.id,
          name: node.name,
          foundedAt: node.foundedAt,
          members: node.members.map((member) => ({
            organizationId: member.organization.id,
            name: member.organization.name,
            position: member.position,
            joinedAt: member.joinedAt,
            positionSince: member.positionSince,
          })),
        });
      }
    }
    if (more.partnerships) {
      for (const { node } of network.partnerships.edges) {
        partnerships.push({
          id: node.id,
          name: node.name,
          startedAt: node.startedAt,
          intendedEndAt: node.intendedEndAt,
          termStatus: node.termStatus,
          groupId: node.group?.id ?? null,
          partyIds: node.parties.map((party) => party.id),
        });
      }
    }
    if (more.organizations) {
      for (const { node } of network.organizations.edges) {
        organizations.set(node.id, { name: node.name, registeredAt: node.registeredAt });
      }
    }
    more = {
      groups: more.groups && network.groups.pageInfo.hasNextPage,
      partnerships: more.partnerships && network.partnerships.pageInfo.hasNextPage,
      organizations: more.organizations && network.organizations.pageInfo.hasNextPage,
    };
    cursors = {
      groupsAfter: network.groups.pageInfo.endCursor ?? undefined,
      partnershipsAfter: network.partnerships.pageInfo.endCursor ?? undefined,
      organizationsAfter: network.organizations.pageInfo.endCursor ?? undefined,
    };
  }
  const inGroup = new Set(groups.flatMap((group) => group.members.map((m) => m.organizationId)));
  return {
    asOf: first!.asOf,
    knownAt: first!.knownAt,
    stats: first!.stats,
    groups,
    partnerships,
    organizations,
    loose: [...organizations.keys()].filter((id) => !inGroup.has(id)),
    dissolvedGroups,
    focus: null,
  };
}

/**
 * Only one group and its partnerships: the view focused on a group, so that a large history
 * need not be loaded whole at each time.
 */
export async function loadGroupFocus(
  groupId: string,
  times: { asOf?: string; knownAt?: string },
  signal?: AbortSignal,
): Promise<NetworkData> {
  const partnerships: PartnershipData[] = [];
  let partnershipsAfter: string | undefined;
  for (;;) {
    const { network } = await request(
      GroupFocusDocument,
      { id: groupId, ...times, partnershipsAfter },
      signal,
    );
    for (const { node } of network.partnerships.edges) {
      partnerships.push({
        id: node.id,
        name: node.name,
        startedAt: node.startedAt,
        intendedEndAt: node.intendedEndAt,
        termStatus: node.termStatus,
        groupId: node.group?.id ?? null,
        partyIds: node.parties.map((party) => party.id),
      });
    }
    if (network.partnerships.pageInfo.hasNextPage && network.partnerships.pageInfo.endCursor) {
      partnershipsAfter = network.partnerships.pageInfo.endCursor;
      continue;
    }
    const group = network.group;
    const exists = group !== null && group.dissolvedAt === null;
    const organizations = new Map<string, { name: string; registeredAt: string }>();
    for (const member of exists ? group.members : []) {
      organizations.set(member.organization.id, {
        name: member.organization.name,
        registeredAt: member.organization.registeredAt,
      });
    }
    return {
      asOf: network.asOf,
      knownAt: network.knownAt,
      stats: network.stats,
      groups: exists
        ? [
            {
              id: group.id,
              name: group.name,
              foundedAt: group.foundedAt,
              members: group.members.map((member) => ({
                organizationId: member.organization.id,
                name: member.organization.name,
                position: member.position,
                joinedAt: member.joinedAt,
                positionSince: member.positionSince,
              })),
            },
          ]
        : [],
      partnerships,
      organizations,
      loose: [],
      dissolvedGroups: group !== null && !exists ? 1 : 0,
      focus: groupId,
    };
  }
}

/** The earliest valid time anything in this network took effect. */
export function firstEffectiveAt(network: NetworkData): number | null {
  let first = Infinity;
  for (const organization of network.organizations.values()) {
    first = Math.min(first, Date.parse(organization.registeredAt));
  }
  for (const group of network.groups) first = Math.min(first, Date.parse(group.foundedAt));
  return Number.isFinite(first) ? first : null;
}
