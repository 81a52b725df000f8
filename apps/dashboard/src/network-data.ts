/**
 * The network at one pair of times, as the page uses it: dissolved groups and ended
 * partnerships left out (the chosen time says they no longer exist), organisations in no
 * group listed apart.
 *
 * Two ways to load it. A small network is loaded whole (every page of the `network`
 * query). A large one (more members than the picture can show as dots) is loaded as an
 * overview: its groups a page at a time with their counts by position, which is enough to
 * draw every group's rings; the members and partnerships of a group are loaded only for the
 * groups being looked at (zoomed into, or asked for), one request per group, and kept in a
 * cache for that pair of times so that redraws reuse them.
 */
import {
  GroupFocusDocument,
  GroupMembersDocument,
  GroupMembersQuery,
  GroupOverviewDocument,
  GroupOverviewQuery,
  NetworkDocument,
  NetworkQuery,
  NetworkStatsDocument,
  TermStatus,
} from './graphql/generated';
import { request } from './graphql/client';
import { Position, PositionCounts } from './layout/rings';
import { Snapshot } from './layout/compare';

/**
 * Most member dots the page loads and draws at once by default; a larger network is an
 * overview. The `dots` URL parameter changes it (a strong machine can draw more).
 */
export const DOT_BUDGET = 2_500;
/** The first page of the overview is small, so that something is drawn soon. */
const FIRST_OVERVIEW_PAGE = 12;
const OVERVIEW_PAGE = 120;
/** At most this many group requests in flight at once. */
const PARALLEL_GROUPS = 4;

export type Stats = NetworkQuery['network']['stats'];

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
  readonly counts: PositionCounts;
  /** null: not loaded (a large network's group not looked at); drawn from its counts. */
  readonly members: readonly MemberData[] | null;
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
  /** null while a large network's counts are still on their way. */
  readonly stats: Stats | null;
  /** Loaded as an overview: members only for some groups, no organisation list. */
  readonly large: boolean;
  /** How many groups the overview will hold once every page is in (dissolved included). */
  readonly expectedGroups: number;
  /** True while more of the overview's pages are on their way. */
  readonly partial: boolean;
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
        const members = node.members.map(memberData);
        groups.push({
          id: node.id,
          name: node.name,
          foundedAt: node.foundedAt,
          counts: countsOf(members),
          members,
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
  const inGroup = new Set(
    groups.flatMap((group) => (group.members ?? []).map((m) => m.organizationId)),
  );
  return {
    asOf: first!.asOf,
    knownAt: first!.knownAt,
    stats: first!.stats,
    large: false,
    expectedGroups: groups.length,
    partial: false,
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
    const members = exists ? group.members.map(memberData) : [];
    return {
      asOf: network.asOf,
      knownAt: network.knownAt,
      stats: null,
      large: false,
      expectedGroups: 1,
      partial: false,
      groups: exists
        ? [
            {
              id: group.id,
              name: group.name,
              foundedAt: group.foundedAt,
              counts: countsOf(members),
              members,
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

/** The network's counts at a pair of times (the tiles), asked apart from the picture. */
export async function loadStats(
  times: { asOf?: string; knownAt?: string },
  signal?: AbortSignal,
): Promise<Stats> {
  return (await request(NetworkStatsDocument, times, signal)).network.stats;
}

function memberData(member: {
  position: Position;
  joinedAt: string;
  positionSince: string;
  organization: { id: string; name: string };
}): MemberData {
  return {
    organizationId: member.organization.id,
    name: member.organization.name,
    position: member.position,
    joinedAt: member.joinedAt,
    positionSince: member.positionSince,
  };
}

export function countsOf(members: readonly { position: Position }[]): PositionCounts {
  const counts = { core: 0, ring: 0, freeSpace: 0 };
  for (const member of members) {
    if (member.position === 'CORE') counts.core++;
    else if (member.position === 'RING') counts.ring++;
    else counts.freeSpace++;
  }
  return counts;
}

const total = (counts: PositionCounts) => counts.core + counts.ring + counts.freeSpace;

type TimeArgs = { asOf?: string; knownAt?: string };
type OverviewPage = GroupOverviewQuery['network'];
export type GroupMembers = NonNullable<GroupMembersQuery['network']['group']>;

/**
 * The members of groups at one pair of times, each asked once: a redraw, or the compare
 * mode, reuses what is loaded. One cache per state of the log (a new one when events
 * arrive), so nothing stale is reused.
 */
export class MemberCache {
  private readonly loaded = new Map<string, Promise<GroupMembers | null>>();

  /**
   * One request per group and pair of times, shared by whoever asks; it is not aborted
   * with one asker's signal (another may be waiting on it), so the askers stop asking for
   * more instead.
   */
  get(times: TimeArgs, groupId: string): Promise<GroupMembers | null> {
    const key = `${times.asOf ?? ''}|${times.knownAt ?? ''}|${groupId}`;
    let entry = this.loaded.get(key);
    if (entry === undefined) {
      entry = request(GroupMembersDocument, { id: groupId, ...times }).then(
        (result) => result.network.group,
      );
      // A failed request is asked again next time.
      entry.catch(() => this.loaded.delete(key));
      this.loaded.set(key, entry);
      if (this.loaded.size > 2_000) this.loaded.delete(this.loaded.keys().next().value!);
    }
    return entry;
  }
}

/**
 * The view at a pair of times: the whole network when it is small, else its overview.
 * `onProgress` receives the overview as its pages arrive (the first page is drawn at once).
 */
export async function loadView(
  times: TimeArgs,
  signal: AbortSignal,
  onProgress?: (partial: NetworkData) => void,
  dotBudget = DOT_BUDGET,
): Promise<NetworkData> {
  const pages: OverviewPage[] = [];
  const early = times.asOf === undefined && times.knownAt === undefined ? takePrefetched() : null;
  let page = (
    await (early ??
      request(GroupOverviewDocument, { ...times, first: FIRST_OVERVIEW_PAGE }, signal))
  ).network;
  pages.push(page);
  // Small enough to draw every member: the whole network, as it always was.
  const members = page.groups.edges.reduce(
    (sum, { node }) => sum + total(node.membersByPosition),
    0,
  );
  const estimate = (members * page.groups.totalCount) / Math.max(page.groups.edges.length, 1);
  if (estimate <= dotBudget) return loadNetwork(times, signal);
  onProgress?.(overviewOf(pages, true));
  while (page.groups.pageInfo.hasNextPage && page.groups.pageInfo.endCursor !== null) {
    page = (
      await request(
        GroupOverviewDocument,
        { ...times, first: OVERVIEW_PAGE, after: page.groups.pageInfo.endCursor },
        signal,
      )
    ).network;
    pages.push(page);
    if (page.groups.pageInfo.hasNextPage) onProgress?.(overviewOf(pages, true));
  }
  return overviewOf(pages, false);
}

let prefetched: Promise<GroupOverviewQuery> | null = null;

/**
 * Asks for the first page of the network now, while the page is still finding out who is
 * signed in: the first picture then waits for one round trip less. Used once, by the
 * first loadView of the present; a refused one (sign-in needed) is simply not used.
 */
export function prefetchFirstPage(): void {
  prefetched = request(GroupOverviewDocument, { first: FIRST_OVERVIEW_PAGE });
  prefetched.catch(() => (prefetched = null));
}

function takePrefetched(): Promise<GroupOverviewQuery> | null {
  const taken = prefetched;
  prefetched = null;
  return taken;
}

/** The counts (the tiles) are not in it: the page asks for them apart (loadStats). */
function overviewOf(pages: readonly OverviewPage[], partial: boolean): NetworkData {
  const first = pages[0]!;
  const groups: GroupData[] = [];
  let dissolvedGroups = 0;
  for (const page of pages) {
    for (const { node } of page.groups.edges) {
      if (node.dissolvedAt !== null) {
        dissolvedGroups++;
        continue;
      }
      groups.push({
        id: node.id,
        name: node.name,
        foundedAt: node.foundedAt,
        counts: node.membersByPosition,
        members: null,
      });
    }
  }
  return {
    asOf: first.asOf,
    knownAt: first.knownAt,
    stats: null,
    large: true,
    expectedGroups: first.groups.totalCount,
    partial,
    groups,
    partnerships: [],
    organizations: new Map(),
    loose: [],
    dissolvedGroups,
    focus: null,
  };
}

/**
 * Loads the members of the given groups into an overview, `parallel` requests at a time,
 * calling `onGroup` as each arrives with the overview filled so far.
 */
export async function loadMembers(
  overview: NetworkData,
  groupIds: readonly string[],
  cache: MemberCache,
  signal: AbortSignal,
  onGroup?: (filled: NetworkData) => void,
): Promise<NetworkData> {
  const times = { asOf: overview.asOf, knownAt: overview.knownAt };
  const wanted = groupIds.filter((id) => overview.groups.some((group) => group.id === id));
  const loaded = new Map<string, GroupMembers>();
  let next = 0;
  const worker = async () => {
    while (next < wanted.length && !signal.aborted) {
      const id = wanted[next++]!;
      const group = await cache.get(times, id);
      if (signal.aborted) return;
      if (group !== null) loaded.set(id, group);
      onGroup?.(withMembers(overview, loaded));
    }
  };
  await Promise.all(Array.from({ length: PARALLEL_GROUPS }, worker));
  return withMembers(overview, loaded);
}

/** The overview with these groups' members and partnerships in it. */
export function withMembers(
  overview: NetworkData,
  loaded: ReadonlyMap<string, GroupMembers>,
): NetworkData {
  const organizations = new Map(overview.organizations);
  const partnerships = new Map(overview.partnerships.map((p) => [p.id, p]));
  const groups = overview.groups.map((group) => {
    const detail = loaded.get(group.id);
    if (detail === undefined) return group;
    for (const member of detail.members) {
      organizations.set(member.organization.id, {
        name: member.organization.name,
        registeredAt: member.organization.registeredAt,
      });
    }
    for (const partnership of detail.partnerships) {
      for (const party of partnership.parties) {
        organizations.set(party.id, { name: party.name, registeredAt: party.registeredAt });
      }
      partnerships.set(partnership.id, {
        id: partnership.id,
        name: partnership.name,
        startedAt: partnership.startedAt,
        intendedEndAt: partnership.intendedEndAt,
        termStatus: partnership.termStatus,
        groupId: group.id,
        partyIds: partnership.parties.map((party) => party.id),
      });
    }
    const members = detail.members.map(memberData);
    return { ...group, counts: countsOf(members), members };
  });
  return { ...overview, groups, organizations, partnerships: [...partnerships.values()] };
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
