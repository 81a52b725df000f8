import { CommandName, INPUT_TYPES } from '../../apps/api/src/commands/command-table';
import { GraphQLResponse, TestServer } from './test-server';

/** The fields of CommandResult, as every test asks for them. */
export const RESULT_FIELDS = 'id streamId version position eventIds arrangementId interventionId';

export interface CommandResult {
  readonly id: string;
  readonly streamId: string;
  readonly version: number;
  readonly position: string;
  readonly eventIds: string[];
  readonly arrangementId: string | null;
  readonly interventionId: string | null;
}

export { INPUT_TYPES };
export type MutationName = CommandName;
export type Input = Record<string, unknown>;

/** Sends one mutation with its input as a variable; returns the response as it came. */
export async function send(
  server: TestServer,
  mutation: MutationName,
  input: Input,
): Promise<GraphQLResponse<Record<string, CommandResult>>> {
  const response = await server.gql<Record<string, CommandResult>>(
    `mutation ($input: ${INPUT_TYPES[mutation]}!) { ${mutation}(input: $input) { ${RESULT_FIELDS} } }`,
    { input },
  );
  expect(JSON.stringify(response)).not.toMatch(STACK_TRACE);
  return response;
}

/** Sends one mutation and expects it to succeed. */
export async function ok(
  server: TestServer,
  mutation: MutationName,
  input: Input,
): Promise<CommandResult> {
  const response = await send(server, mutation, input);
  expect(response.errors ?? []).toEqual([]);
  const result = response.data?.[mutation];
  expect(result).toBeDefined();
  return result as CommandResult;
}

/** Runs a query and expects it to succeed; returns its data. */
export async function query<Data = Record<string, any>>(
  server: TestServer,
  text: string,
  variables?: Record<string, unknown>,
): Promise<Data> {
  const response = await server.gql<Data>(text, variables);
  expect(JSON.stringify(response)).not.toMatch(STACK_TRACE);
  expect(response.errors ?? []).toEqual([]);
  expect(response.status).toBe(200);
  return response.data as Data;
}

/** Expects the response to be refused with an error whose extensions include these. */
export function expectRefused(
  response: GraphQLResponse<unknown>,
  extensions: Record<string, unknown>,
): void {
  expect(response.errors?.[0]?.extensions).toMatchObject(extensions);
}

export interface LoggedEvent {
  readonly id: string;
  readonly streamId: string;
  readonly revision: number;
  readonly position: string;
  readonly type: string;
  readonly effectiveAt: string;
  readonly recordedAt: string;
  readonly actor: string | null;
  readonly commandId: string | null;
  readonly data: Record<string, unknown>;
}

export const EVENT_FIELDS =
  'id streamId revision position type effectiveAt recordedAt actor commandId data';

/** The whole global log, paged through with the largest page the server allows. */
export async function eventLog(server: TestServer): Promise<LoggedEvent[]> {
  const events: LoggedEvent[] = [];
  let after: string | null = null;
  for (;;) {
    const data: any = await query(
      server,
      `query ($after: String) {
        events(first: 500, after: $after) {
          edges { cursor node { ${EVENT_FIELDS} } }
          pageInfo { hasNextPage endCursor }
        }
      }`,
      { after },
    );
    events.push(...data.events.edges.map((edge: { node: LoggedEvent }) => edge.node));
    if (!data.events.pageInfo.hasNextPage) return events;
    after = data.events.pageInfo.endCursor;
  }
}

/** The recorded events of one stream, oldest first. */
export async function streamHistory(server: TestServer, streamId: string): Promise<LoggedEvent[]> {
  const data = await query<{ history: LoggedEvent[] }>(
    server,
    `query ($streamId: String!) { history(streamId: $streamId) { ${EVENT_FIELDS} } }`,
    { streamId },
  );
  return data.history;
}

const DAY = 24 * 60 * 60 * 1000;

/** An RFC 3339 time this many days from now (negative: in the past). */
export function daysFromNow(days: number): string {
  return new Date(Date.now() + days * DAY).toISOString();
}

export function minutesFromNow(minutes: number): string {
  return new Date(Date.now() + minutes * 60 * 1000).toISOString();
}

/** Milliseconds since the epoch of an RFC 3339 time, for comparing instants. */
export function ms(time: string | null | undefined): number {
  if (time === null || time === undefined) throw new Error(`not a time: ${String(time)}`);
  const value = Date.parse(time);
  if (Number.isNaN(value)) throw new Error(`not a time: ${time}`);
  return value;
}

/**
 * Resolves once this machine's clock (which the server shares) is past the given time, so
 * that whatever is recorded next has a later recordedAt. Waits for exactly that, no longer.
 */
export async function clockPasses(time: string): Promise<void> {
  const target = ms(time);
  while (Date.now() <= target) await new Promise((resolve) => setImmediate(resolve));
}

/** Text that reveals a stack trace or a path on the server. */
export const STACK_TRACE =
  /(?:\\n|\n)\s*at |\bat \S+ \(|\.(?:ts|js|cjs|mjs):\d+|node_modules|\/work\//;
