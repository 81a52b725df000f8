import {
  CommandResult,
  INPUT_TYPES,
  Input,
  MutationName,
  RESULT_FIELDS,
  STACK_TRACE,
  daysFromNow,
} from './commands';

/** The codes a refusal may carry; anything else reaching a client is a failure. */
export const REFUSAL_CODES: readonly string[] = [
  'BAD_USER_INPUT',
  'NOT_FOUND',
  'RULE_VIOLATION',
  'CONCURRENCY_CONFLICT',
];

/** What became of one mutation sent over HTTP. */
export type Outcome =
  | { readonly kind: 'ok'; readonly result: CommandResult }
  | { readonly kind: 'refused'; readonly code: string; readonly rule: string | null }
  /** An answer that is neither a result nor a domain refusal (a 503 while closing, a 500). */
  | { readonly kind: 'rejected'; readonly status: number; readonly body: string }
  /** No answer: the connection was refused, reset or closed. */
  | { readonly kind: 'unanswered'; readonly error: string };

export interface SentCommand {
  readonly mutation: MutationName;
  readonly input: Input;
  /** Whether it was sent after {@link WriteLoad.mark} (a kill, a signal). */
  readonly sentAfterMark: boolean;
  outcome?: Outcome;
  /** Whether the outcome came after {@link WriteLoad.mark}. */
  settledAfterMark?: boolean;
}

/** Sends one mutation with its input as a variable and classifies what came back. */
export async function sendMutation(
  url: string,
  mutation: MutationName,
  input: Input,
): Promise<Outcome> {
  let status: number;
  let text: string;
  try {
    const response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({
        query: `mutation ($input: ${INPUT_TYPES[mutation]}!) { ${mutation}(input: $input) { ${RESULT_FIELDS} } }`,
        variables: { input },
      }),
    });
    status = response.status;
    text = await response.text();
  } catch (error) {
    return { kind: 'unanswered', error: describeFetchError(error) };
  }
  let body: any;
  try {
    body = JSON.parse(text);
  } catch {
    return { kind: 'rejected', status, body: text.slice(0, 500) };
  }
  const errors: any[] = Array.isArray(body?.errors) ? body.errors : [];
  const result = body?.data?.[mutation];
  if (status === 200 && errors.length === 0 && result != null) return { kind: 'ok', result };
  const code = errors[0]?.extensions?.code;
  if (
    status < 500 &&
    errors.length > 0 &&
    errors.every((error) => REFUSAL_CODES.includes(error?.extensions?.code)) &&
    !STACK_TRACE.test(text)
  ) {
    return { kind: 'refused', code, rule: errors[0]?.extensions?.rule ?? null };
  }
  return { kind: 'rejected', status, body: text.slice(0, 500) };
}

function describeFetchError(error: unknown): string {
  // fetch's errors come from Node's own realm, not jest's: read them by shape.
  const { message, cause } = error as {
    message?: string;
    cause?: { code?: string; message?: string };
  };
  const reason = cause?.code ?? cause?.message;
  return reason === undefined ? String(message ?? error) : `${message}: ${reason}`;
}

const POSITIONS = ['CORE', 'RING', 'FREE_SPACE'] as const;

/**
 * Concurrent GraphQL clients, each recording a partnership manager's day: registering
 * organisations, joining shared groups (the contended streams), changing positions,
 * forming partnerships and agreeing arrangements, every mutation with its own commandId.
 * A client stops at the first mutation that gets no answer (the server is gone).
 */
export class WriteLoad {
  readonly commands = new Map<string, SentCommand>();
  acknowledged = 0;
  private marked = false;
  private stopped = false;

  constructor(
    private readonly url: string,
    private readonly prefix: string,
    private readonly random: () => number,
    private readonly onAcknowledged: (count: number) => void = () => undefined,
  ) {}

  /** From now on, mutations count as sent after the mark (a kill, a signal). */
  mark(): void {
    this.marked = true;
  }

  /** Clients send nothing more after their current mutation. */
  stop(): void {
    this.stopped = true;
  }

  run(clients: number, sharedGroups: readonly string[]): Promise<void> {
    return Promise.all(
      Array.from({ length: clients }, (_, index) => this.client(index, sharedGroups)),
    ).then(() => undefined);
  }

  /** Every command that was answered with a result. */
  results(): Map<string, CommandResult> {
    const results = new Map<string, CommandResult>();
    for (const [commandId, sent] of this.commands) {
      if (sent.outcome?.kind === 'ok') results.set(commandId, sent.outcome.result);
    }
    return results;
  }

  private async client(index: number, sharedGroups: readonly string[]): Promise<void> {
    const me = `${this.prefix}.c${index}`;
    let counter = 0;
    const pick = <T>(list: readonly T[]): T => list[Math.floor(this.random() * list.length)]!;
    const organizations: string[] = [];
    const memberships = new Map<string, string>();
    const partnerships: { id: string; intendedEndAt: string; ended: boolean }[] = [];
    let going = true;

    const command = async (mutation: MutationName, input: Input): Promise<boolean> => {
      const commandId = `${me}.m${counter++}`;
      const sent: SentCommand = {
        mutation,
        input: { ...input, commandId },
        sentAfterMark: this.marked,
      };
      this.commands.set(commandId, sent);
      const outcome = await sendMutation(this.url, mutation, sent.input);
      sent.outcome = outcome;
      sent.settledAfterMark = this.marked;
      if (outcome.kind === 'unanswered' || outcome.kind === 'rejected') going = false;
      if (outcome.kind !== 'ok') return false;
      this.acknowledged++;
      this.onAcknowledged(this.acknowledged);
      return true;
    };

    for (const groupId of sharedGroups) {
      if (!going || this.stopped) return;
      await command('foundGroup', { id: groupId, name: `Shared ${groupId}` });
    }
    while (going && !this.stopped) {
      const roll = this.random();
      const memberKeys = [...memberships.keys()];
      const active = partnerships.filter((partnership) => !partnership.ended);
      if (organizations.length < 3 || roll < 0.15) {
        const id = `${me}.o${counter}`;
        if (await command('registerOrganization', { id, name: `Organisation ${id}` })) {
          organizations.push(id);
        }
      } else if (roll < 0.35) {
        const groupId = pick(sharedGroups);
        const organizationId = pick(organizations);
        const key = `${groupId} ${organizationId}`;
        const position = pick(POSITIONS);
        if (
          !memberships.has(key) &&
          (await command('joinGroup', { groupId, organizationId, position }))
        ) {
          memberships.set(key, position);
        }
      } else if (roll < 0.5 && memberKeys.length > 0) {
        const key = pick(memberKeys);
        const [groupId, organizationId] = key.split(' ');
        const position = pick(POSITIONS.filter((candidate) => candidate !== memberships.get(key)));
        if (
          await command('changePosition', { groupId, organizationId, position, reason: 'Rotation' })
        ) {
          memberships.set(key, position);
        }
      } else if (roll < 0.55 && memberKeys.length > 0) {
        const key = pick(memberKeys);
        const [groupId, organizationId] = key.split(' ');
        if (await command('leaveGroup', { groupId, organizationId })) memberships.delete(key);
      } else if (roll < 0.62) {
        await command('assessCapability', {
          organizationId: pick(organizations),
          ambition: 1 + Math.floor(this.random() * 5),
          realized: 1 + Math.floor(this.random() * 5),
          notes: 'Yearly review',
        });
      } else if (roll < 0.72) {
        const parties = [
          ...new Set([pick(organizations), pick(organizations), pick(organizations)]),
        ];
        if (parties.length < 2) continue;
        const id = `${me}.p${counter}`;
        const intendedEndAt = daysFromNow(365);
        if (
          await command('formPartnership', {
            id,
            name: `Partnership ${id}`,
            partyIds: parties,
            intendedEndAt,
          })
        ) {
          partnerships.push({ id, intendedEndAt, ended: false });
        }
      } else if (roll < 0.85 && active.length > 0) {
        const partnership = pick(active);
        await command('agreeArrangement', {
          partnershipId: partnership.id,
          arrangementId: `${me}.a${counter}`,
          title: 'Shared warehouse',
          terms: 'Each party pays its share of the rent.',
        });
      } else if (roll < 0.92 && active.length > 0) {
        const partnership = pick(active);
        const intendedEndAt = new Date(
          Date.parse(partnership.intendedEndAt) + 30 * 86_400_000,
        ).toISOString();
        if (await command('extendPartnership', { partnershipId: partnership.id, intendedEndAt })) {
          partnership.intendedEndAt = intendedEndAt;
        }
      } else if (roll < 0.95 && active.length > 0) {
        const partnership = pick(active);
        if (
          await command('endPartnership', { partnershipId: partnership.id, reason: 'COMPLETED' })
        ) {
          partnership.ended = true;
        }
      } else {
        // A stale expectedVersion on a busy shared group: refused, records nothing.
        await command('joinGroup', {
          groupId: pick(sharedGroups),
          organizationId: pick(organizations),
          position: 'RING',
          expectedVersion: 0,
        });
      }
    }
  }
}
