/**
 * A network's history simulated through the real deciders: every generated event is one
 * that the service itself would have recorded. Used for benchmarks and demos.
 */
import { unsafeUniformIntDistribution, xoroshiro128plus, RandomGenerator } from 'pure-rand';
import { DomainError } from '@partnerships/domain/common/errors';
import {
  DomainCommand,
  DomainEvent,
  addressedStream,
  decideCommand,
} from '@partnerships/domain/commands';
import { Effective } from '@partnerships/domain/common/command';
import {
  GroupEvent,
  GroupState,
  POSITIONS,
  initialGroupState,
} from '@partnerships/domain/group/group';
import {
  OrganizationEvent,
  OrganizationState,
  initialOrganizationState,
} from '@partnerships/domain/organization/organization';
import {
  END_REASONS,
  PartnershipEvent,
  PartnershipState,
  initialPartnershipState,
} from '@partnerships/domain/partnership/partnership';
import { StreamFold, organizationFold, partnershipFold } from '@partnerships/domain/stream-folds';
import { RecordedEvent } from '@partnerships/event-store/event-store';
import {
  CommandEnvelope,
  envelopesOf,
  eventIdOf,
  metadataOf,
} from '@partnerships/event-store/event-envelope';
import type { ImportRow } from '@partnerships/event-store/sqlite/sqlite-schema';
import { currentSchemaVersion } from '@partnerships/domain/common/upcasters';
import { GroupFold } from './group-fold';
import { PickList } from './pick-list';

const DAY = 24 * 60 * 60 * 1000;
const YEAR = 365 * DAY;

export interface SimulationOptions {
  /** How many events to generate. */
  readonly events: number;
  readonly seed: number;
  /** The valid time of the first event. */
  readonly start: Date;
  /** The span of valid time the history covers. */
  readonly years: number;
}

export interface SimulationStats {
  organizations: number;
  groups: number;
  partnerships: number;
  interventions: number;
  /** Arrangements that list at least one party's commitment. */
  arrangementsWithCommitments: number;
  arrangements: number;
  /** Commands the rules refused: the simulation tries, the deciders judge. */
  refused: number;
}

/**
 * The simulated world: the state of every stream, folded in place by the domain's stream
 * folds (the evolve functions copy a partnership's sets of arrangements at every event).
 */
class World {
  readonly organizations = new Map<string, StreamFold<OrganizationState, OrganizationEvent>>();
  readonly groups = new Map<string, GroupFold>();
  readonly partnerships = new Map<string, StreamFold<PartnershipState, PartnershipEvent>>();
  readonly organizationIds = new PickList();
  readonly openGroupIds = new PickList();
  readonly activePartnershipIds = new PickList();

  memberIds(groupId: string): readonly string[] {
    return this.groups.get(groupId)?.memberIds.items ?? [];
  }

  organization = (id: string): OrganizationState =>
    this.organizations.get(id)?.state ?? initialOrganizationState;
  group = (id: string): GroupState => this.groups.get(id)?.state ?? initialGroupState;
  partnership = (id: string): PartnershipState =>
    this.partnerships.get(id)?.state ?? initialPartnershipState;

  apply(category: string, id: string, event: Effective<DomainEvent>): void {
    switch (category) {
      case 'organization': {
        let fold = this.organizations.get(id);
        if (fold === undefined) {
          fold = organizationFold();
          this.organizations.set(id, fold);
        }
        fold.apply(event as Effective<OrganizationEvent>);
        return;
      }
      case 'group': {
        let fold = this.groups.get(id);
        if (fold === undefined) {
          fold = new GroupFold();
          this.groups.set(id, fold);
        }
        fold.apply(event as Effective<GroupEvent>);
        return;
      }
      default: {
        let fold = this.partnerships.get(id);
        if (fold === undefined) {
          fold = partnershipFold();
          this.partnerships.set(id, fold);
        }
        fold.apply(event as Effective<PartnershipEvent>);
      }
    }
  }

  stateOf(category: string, id: string): OrganizationState | GroupState | PartnershipState {
    if (category === 'organization') return this.organization(id);
    if (category === 'group') return this.group(id);
    return this.partnership(id);
  }
}

export class NetworkSimulation {
  readonly stats: SimulationStats = {
    organizations: 0,
    groups: 0,
    partnerships: 0,
    interventions: 0,
    arrangementsWithCommitments: 0,
    arrangements: 0,
    refused: 0,
  };
  /** Organisations an intervention was aimed at, whose next assessment shows its effect. */
  private readonly awaitingAssessment = new PickList();
  private readonly world = new World();
  private random: RandomGenerator;
  private clock: number;
  private recorded: number;
  private readonly step: number;
  private commands = 0;
  private produced = 0;

  constructor(private readonly options: SimulationOptions) {
    this.random = xoroshiro128plus(options.seed);
    this.clock = options.start.getTime();
    this.recorded = this.clock;
    this.step = (options.years * YEAR) / Math.max(options.events, 1);
  }

  /** A stream's state as the simulation decides on it now. */
  stateOf(streamId: string): OrganizationState | GroupState | PartnershipState {
    return this.world.stateOf(...splitStreamId(streamId));
  }

  /** Yields the history in batches, in commit order, until the requested size is reached. */
  *batches(size: number): Generator<RecordedEvent[]> {
    let batch: RecordedEvent[] = [];
    for (const command of this.decidedCommands()) {
      batch.push(...recordedEventsOf(command));
      if (batch.length >= size) {
        yield batch;
        batch = [];
      }
    }
    if (batch.length > 0) yield batch;
  }

  /** Yields each command the rules accepted, in commit order, until the requested size is reached. */
  *decidedCommands(): Generator<DecidedCommand> {
    while (this.produced < this.options.events) yield this.next();
  }

  private next(): DecidedCommand {
    // Time moves on by what is recorded, not by what is tried: the history ends on time.
    this.clock += this.int(1, Math.max(2, Math.round(this.step * 2)));
    for (;;) {
      const command = this.choose();
      if (command === undefined) continue;
      const decided = this.record(command);
      if (decided !== undefined) return decided;
    }
  }

  private record(command: DomainCommand): DecidedCommand | undefined {
    // Facts are mostly recorded the same day, some weeks late: the two times differ.
    const delay = this.int(0, 10) === 0 ? this.int(DAY, 30 * DAY) : this.int(0, 4 * 60 * 60 * 1000);
    const recordedAt = Math.max(this.recorded, this.clock + delay);
    let decided;
    try {
      decided = decideCommand(
        {
          ...command,
          data: { ...command.data, effectiveAt: new Date(this.clock) },
        } as DomainCommand,
        this.world,
        new Date(recordedAt),
      );
    } catch (error) {
      if (!(error instanceof DomainError)) throw error;
      this.stats.refused++;
      return undefined;
    }
    this.recorded = recordedAt;
    const commandId = generatedCommandId(this.options.seed, this.commands++, recordedAt);
    if (decided.events.length === 0) return undefined;
    const streamId = addressedStream(command);
    const [category, entityId] = splitStreamId(streamId);
    const version = this.world.stateOf(category, entityId).version;
    const effectiveAt = decided.effectiveAt ?? new Date(recordedAt);
    for (const event of decided.events) {
      this.world.apply(category, entityId, { ...event, effectiveAt } as Effective<DomainEvent>);
      this.track(event);
      this.produced++;
    }
    return {
      commandId,
      streamId,
      version,
      events: decided.events,
      effectiveAt,
      recordedAt: new Date(recordedAt),
    };
  }

  private track(event: DomainEvent): void {
    const world = this.world;
    switch (event.type) {
      case 'OrganizationRegistered':
        world.organizationIds.push(event.data.organizationId);
        this.stats.organizations++;
        return;
      case 'GroupFounded':
        world.openGroupIds.push(event.data.groupId);
        this.stats.groups++;
        return;
      case 'GroupDissolved':
        world.openGroupIds.remove(event.data.groupId);
        return;
      case 'PartnershipFormed':
        world.activePartnershipIds.push(event.data.partnershipId);
        this.stats.partnerships++;
        return;
      case 'PartnershipEnded':
        world.activePartnershipIds.remove(event.data.partnershipId);
        return;
      case 'ArrangementAgreed':
        this.stats.arrangements++;
        if (event.data.commitments.length > 0) this.stats.arrangementsWithCommitments++;
        return;
      case 'InterventionRecorded':
        this.stats.interventions++;
        if (event.data.organizationId !== null) {
          this.awaitingAssessment.push(event.data.organizationId);
        }
        return;
      case 'CapabilityAssessed':
        this.awaitingAssessment.remove(event.data.organizationId);
        return;
      default:
        return;
    }
  }

  /** The next thing someone tries to do; the deciders may still refuse it. */
  private choose(): DomainCommand | undefined {
    const world = this.world;
    const progress = this.produced / this.options.events;
    const wantedOrganizations = 20 + (progress * this.options.events) / 300;
    const wantedGroups = 3 + (progress * this.options.events) / 3_000;
    if (world.organizationIds.length < wantedOrganizations && this.int(0, 3) === 0) {
      const id = `org-${world.organizationIds.length + 1}`;
      return {
        type: 'RegisterOrganization',
        data: { organizationId: id, name: `Organisation ${id}` },
      };
    }
    if (world.openGroupIds.length < wantedGroups && this.int(0, 20) === 0) {
      const id = `group-${this.stats.groups + 1}`;
      return {
        type: 'FoundGroup',
        data: { groupId: id, name: `Network ${id}`, purpose: 'Working together' },
      };
    }
    const roll = this.int(0, 999);
    const groupId = this.pick(world.openGroupIds.items);
    const organizationId = this.pick(world.organizationIds.items);
    if (groupId === undefined || organizationId === undefined) return undefined;
    const members = world.memberIds(groupId);
    const member = this.pick(members);
    const position = POSITIONS[this.int(0, 2)];
    if (roll < 300) return { type: 'JoinGroup', data: { groupId, organizationId, position } };
    if (roll < 400 && member !== undefined) {
      return {
        type: 'ChangePosition',
        data: { groupId, organizationId: member, position, reason: null },
      };
    }
    if (roll < 440 && member !== undefined) {
      return { type: 'LeaveGroup', data: { groupId, organizationId: member, reason: null } };
    }
    if (roll < 520) {
      // Half the assessments follow up an intervention, when one is waiting for it.
      const assessed =
        this.int(0, 1) === 0
          ? (this.pick(this.awaitingAssessment.items) ?? organizationId)
          : organizationId;
      return {
        type: 'AssessCapability',
        data: {
          organizationId: assessed,
          ambition: this.int(1, 5),
          realized: this.int(1, 5),
          notes: null,
        },
      };
    }
    if (roll < 521 && members.length < 3)
      return { type: 'DissolveGroup', data: { groupId, reason: null } };
    const partnershipId = this.pick(world.activePartnershipIds.items);
    if (roll < 560 || partnershipId === undefined) {
      if (members.length < 2) return undefined;
      const parties = this.sample(members, this.int(2, Math.min(4, members.length)));
      const id = `partnership-${this.stats.partnerships + 1}`;
      return {
        type: 'FormPartnership',
        data: {
          partnershipId: id,
          name: `Partnership ${id}`,
          purpose: null,
          partyIds: parties,
          groupId: this.int(0, 9) < 7 ? groupId : null,
          intendedEndAt: new Date(this.clock + this.int(1, 5) * YEAR),
        },
      };
    }
    const partnership = world.partnership(partnershipId);
    const intendedEnd = partnership.intendedEndAt?.getTime() ?? this.clock;
    if (roll >= 880 && roll < 900) {
      const kind = this.int(0, 19);
      const interventionId = `intervention-${this.stats.interventions + 1}`;
      const [title, aim] = INTERVENTIONS[this.int(0, INTERVENTIONS.length - 1)];
      return {
        type: 'RecordIntervention',
        data: {
          interventionId,
          target:
            kind < 12
              ? { kind: 'organization', id: organizationId }
              : kind < 17
                ? { kind: 'partnership', id: partnershipId }
                : { kind: 'group', id: groupId },
          title,
          aim,
        },
      };
    }
    if (roll < 900 || roll >= 985) {
      // Most arrangements say which party takes on which part of the work.
      const parties = [...partnership.partyIds];
      const committed = this.int(0, 9) < 8 ? this.sample(parties, this.int(1, parties.length)) : [];
      return {
        type: 'AgreeArrangement',
        data: {
          partnershipId,
          arrangementId: `arrangement-${partnership.arrangementIds.size + 1}`,
          title: 'Shared intake',
          terms: 'Each party does its part and reports monthly.',
          validUntil:
            this.int(0, 1) === 0
              ? undefined
              : new Date(Math.max(this.clock + DAY, intendedEnd - this.int(0, 180) * DAY)),
          commitments: committed.map((party) => ({
            organizationId: party,
            commitment: COMMITMENTS[this.int(0, COMMITMENTS.length - 1)],
          })),
        },
      };
    }
    if (roll < 960) {
      return {
        type: 'ExtendPartnership',
        data: { partnershipId, intendedEndAt: new Date(intendedEnd + YEAR) },
      };
    }
    // A partnership past its intended end mostly expires; before it, it cannot.
    const overdue = this.clock >= intendedEnd;
    const reasons = END_REASONS.filter((reason) => reason !== 'EXPIRED');
    const reason =
      overdue && this.int(0, 2) > 0 ? 'EXPIRED' : reasons[this.int(0, reasons.length - 1)];
    return { type: 'EndPartnership', data: { partnershipId, reason, note: null } };
  }

  private int(min: number, max: number): number {
    return unsafeUniformIntDistribution(min, max, this.random);
  }

  private pick<T>(items: readonly T[]): T | undefined {
    return items.length === 0 ? undefined : items[this.int(0, items.length - 1)];
  }

  private sample<T>(items: readonly T[], count: number): T[] {
    const chosen = new Set<T>();
    while (chosen.size < count) chosen.add(items[this.int(0, items.length - 1)]);
    return [...chosen];
  }
}

/**
 * A command the rules accepted, with its events as decided: each event becomes a row once
 * it is stamped with its id and metadata, which derive from the commandId alone.
 */
export interface DecidedCommand {
  readonly commandId: string;
  readonly streamId: string;
  /** The stream's version before the command: its first event's revision. */
  readonly version: number;
  readonly events: readonly DomainEvent[];
  readonly effectiveAt: Date;
  readonly recordedAt: Date;
}

/**
 * An event's row before its stamp: the simulation's thread makes these (its data written as
 * JSON) and the writer's thread stamps them ({@link stampedRow}), so that deriving the ids
 * and writing the metadata run beside the simulation rather than in it.
 */
export type UnstampedRow = readonly [
  commandId: string,
  index: number,
  streamId: string,
  revision: number,
  type: string,
  data: string,
  effectiveAt: number,
  recordedAt: number,
];

/**
 * The commandId of the generator's `n`th command: a UUIDv7 (RFC 9562) of the moment it is
 * recorded whose other bits are the seed's low 12 and `n`, instead of random ones. The same
 * seed gives the same history, and, as with the ids the server chooses, the commandIds and
 * the event ids derived from them (event-envelope.ts) follow one another in the store's
 * indexes rather than landing at a random page each.
 */
export function generatedCommandId(seed: number, n: number, recordedAt: number): string {
  const time = hex48(recordedAt);
  const seedBits = (seed & 0xfff).toString(16).padStart(3, '0');
  const high = (0x8000 | (Math.floor(n / 2 ** 48) & 0x3fff)).toString(16);
  return `${time.slice(0, 8)}-${time.slice(8)}-7${seedBits}-${high}-${hex48(n % 2 ** 48)}`;
}

/** Each byte's two hex digits. */
const HEX_BYTES = Array.from({ length: 256 }, (_, byte) => byte.toString(16).padStart(2, '0'));

/**
 * The 12 hex digits of a number below 2^48, byte by byte: it runs once per command, and
 * `toString(16)` with `padStart` took 2.6 % of the simulation's thread.
 */
function hex48(value: number): string {
  const high = Math.floor(value / 2 ** 24);
  const low = value % 2 ** 24;
  return (
    HEX_BYTES[high >>> 16]! +
    HEX_BYTES[(high >>> 8) & 0xff]! +
    HEX_BYTES[high & 0xff]! +
    HEX_BYTES[low >>> 16]! +
    HEX_BYTES[(low >>> 8) & 0xff]! +
    HEX_BYTES[low & 0xff]!
  );
}

/** Whose commands these are: what the service would write for a command of the generator. */
function generatedEnvelope(commandId: string, effectiveAt: Date | undefined): CommandEnvelope {
  return { commandId, actor: 'generator', commandDigest: 'generated', effectiveAt };
}

/** A decided command's events as the store records them. */
export function recordedEventsOf(command: DecidedCommand): RecordedEvent[] {
  const { commandId, streamId, version, effectiveAt, recordedAt } = command;
  const envelopes = envelopesOf(command.events, generatedEnvelope(commandId, effectiveAt));
  // Written out rather than spread: a million spreads of the envelope took seconds.
  return envelopes.map(({ id, type, data, metadata, schemaVersion }, index) => ({
    id,
    streamId,
    revision: version + index,
    position: '',
    type,
    data,
    effectiveAt,
    recordedAt,
    metadata,
    schemaVersion,
  }));
}

/** A decided command's events as rows to stamp. */
export function unstampedRowsOf(command: DecidedCommand): UnstampedRow[] {
  const { commandId, streamId, version } = command;
  const effectiveAt = command.effectiveAt.getTime();
  const recordedAt = command.recordedAt.getTime();
  return command.events.map((event, index) => [
    commandId,
    index,
    streamId,
    version + index,
    event.type,
    JSON.stringify(event.data),
    effectiveAt,
    recordedAt,
  ]);
}

/** The row of {@link recordedEventsOf}'s event, value for value (simulation.spec.ts). */
export function stampedRow(row: UnstampedRow): ImportRow {
  const [commandId, index, streamId, revision, type, data, effectiveAt, recordedAt] = row;
  return [
    eventIdOf(commandId, index),
    streamId,
    revision,
    type,
    data,
    effectiveAt,
    recordedAt,
    JSON.stringify(metadataOf(generatedEnvelope(commandId, undefined))),
    currentSchemaVersion(type),
  ];
}

const COMMITMENTS = [
  'Runs the shared intake desk',
  'Provides two case workers one day a week',
  'Hosts the monthly meeting and keeps the minutes',
  'Reports the shared figures each quarter',
  'Trains the other parties in its method',
  'Funds the pilot for the first year',
] as const;

const INTERVENTIONS: readonly (readonly [string, string | null])[] = [
  ['Peer coaching', 'Close the gap between ambition and what is realised'],
  ['Position workshop', 'Let each member choose core, ring or free space deliberately'],
  ['Joint retrospective', 'Learn from what the last year of working together taught'],
  ['Leadership programme', null],
  ['Mediation', 'Restore trust after a conflict about the shared budget'],
];

/** `group-g-1` is category `group`, id `g-1`: ids may hold dashes, categories do not. */
function splitStreamId(streamId: string): [string, string] {
  const dash = streamId.indexOf('-');
  return [streamId.slice(0, dash), streamId.slice(dash + 1)];
}
