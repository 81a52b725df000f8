/**
 * RecordIntervention: a deliberate action aimed at improving how one organisation, group or
 * partnership collaborates, recorded in that target's own stream (see docs/domain.md,
 * "Interventions").
 */
import {
  Command,
  CommandOptions,
  Decision,
  DecisionTime,
  Event,
  StreamState,
} from '../common/command';
import { resolveEffectiveTime } from '../common/effective-time';
import { checkExpectedVersion } from '../common/expected-version';
import { EntityKind, InvalidInputError, NotFoundError, RuleViolationError } from '../common/errors';
import {
  LIMITS,
  optionalDate,
  optionalText,
  optionalVersion,
  requireId,
  requireText,
} from '../common/input';

export interface InterventionTarget {
  readonly kind: EntityKind;
  readonly id: string;
}

export type RecordIntervention = Command<
  'RecordIntervention',
  {
    readonly interventionId: string;
    readonly target: InterventionTarget;
    readonly title: string;
    readonly aim: string | null;
  } & CommandOptions
>;

/**
 * Exactly one of organizationId, groupId and partnershipId is set: the target, whose stream
 * holds the event.
 */
export type InterventionRecorded = Event<
  'InterventionRecorded',
  {
    readonly interventionId: string;
    readonly organizationId: string | null;
    readonly groupId: string | null;
    readonly partnershipId: string | null;
    readonly title: string;
    readonly aim: string | null;
  }
>;

export interface RecordInterventionInput {
  readonly interventionId: string;
  readonly organizationId?: unknown;
  readonly groupId?: unknown;
  readonly partnershipId?: unknown;
  readonly title: unknown;
  readonly aim?: unknown;
  readonly expectedVersion?: unknown;
  readonly effectiveAt?: unknown;
}

const TARGET_FIELDS = [
  ['organizationId', 'organization'],
  ['groupId', 'group'],
  ['partnershipId', 'partnership'],
] as const;

export function parseRecordIntervention(input: RecordInterventionInput): RecordIntervention {
  const given = TARGET_FIELDS.filter(
    ([field]) => input[field] !== undefined && input[field] !== null,
  );
  if (given.length !== 1) {
    const named = (given.length === 0 ? TARGET_FIELDS : given).map(([field]) => field);
    throw new InvalidInputError(
      named.join(', '),
      `exactly one of organizationId, groupId and partnershipId must be given (got ${given.length})`,
    );
  }
  const [[field, kind]] = given;
  return {
    type: 'RecordIntervention',
    data: {
      interventionId: requireId('interventionId', input.interventionId),
      target: { kind, id: requireId(field, input[field]) },
      title: requireText('title', input.title, LIMITS.name),
      aim: optionalText('aim', input.aim, LIMITS.longText),
      expectedVersion: optionalVersion('expectedVersion', input.expectedVersion),
      effectiveAt: optionalDate('effectiveAt', input.effectiveAt),
    },
  };
}

/** What the decision reads of the target's stream, whichever kind of entity it is. */
export interface InterventionTargetState extends StreamState {
  readonly exists: boolean;
  readonly interventionIds: ReadonlySet<string>;
}

/**
 * @param streamId the target's stream
 * @param ensureOpen throws the target's own rule when it no longer takes new facts
 *   (GROUP_DISSOLVED, PARTNERSHIP_ENDED)
 */
export function recordIntervention(
  command: RecordIntervention,
  state: InterventionTargetState,
  streamId: string,
  { now }: DecisionTime,
  ensureOpen: () => void,
): Decision<InterventionRecorded> {
  const { interventionId, target, title, aim } = command.data;
  if (!state.exists) throw new NotFoundError(target.kind, target.id);
  checkExpectedVersion(streamId, command.data, state);
  const effectiveAt = resolveEffectiveTime(command.data.effectiveAt, now, [
    state.latestEffectiveAt,
  ]);
  if (state.interventionIds.has(interventionId)) {
    throw new RuleViolationError(
      'INTERVENTION_EXISTS',
      `intervention "${interventionId}" is already recorded for ${target.kind} "${target.id}"`,
    );
  }
  ensureOpen();
  return {
    effectiveAt,
    events: [
      {
        type: 'InterventionRecorded',
        data: {
          interventionId,
          organizationId: target.kind === 'organization' ? target.id : null,
          groupId: target.kind === 'group' ? target.id : null,
          partnershipId: target.kind === 'partnership' ? target.id : null,
          title,
          aim,
        },
      },
    ],
  };
}
