import { IncomingMessage, Server } from 'node:http';
import { Duplex } from 'node:stream';
import {
  ExecutionArgs,
  ExecutionResult,
  GraphQLError,
  GraphQLFormattedError,
  GraphQLSchema,
  OperationTypeNode,
  createSourceEventStream,
  execute,
  print,
} from 'graphql';
import { CloseCode, Context, MessageType, makeServer } from 'graphql-ws';
import { WebSocket, WebSocketServer } from 'ws';
import { AuthFailureLimit } from '../auth/auth-failure-limit';
import { RequestAuth } from '../auth/access.guard';
import { Principal, UnauthenticatedError } from '../auth/principal';
import { toClientErrors } from './client-errors';
import { admit } from './operation-gate';
import { ListSizes, QueryLimitError, QueryLimits } from './query-limits';

export interface WebSocketLimits {
  /** Active subscriptions one connection may hold (WS_MAX_SUBSCRIPTIONS). */
  readonly subscriptionsPerConnection: number;
  /** Open connections one principal may hold (WS_MAX_CONNECTIONS_PER_PRINCIPAL). */
  readonly connectionsPerPrincipal: number;
  /** Time a connection has to send connection_init (WS_INIT_TIMEOUT_MS). */
  readonly initTimeoutMs: number;
  /** Bytes that may wait to be sent to one connection (WS_MAX_BUFFERED_BYTES). */
  readonly maxBufferedBytes: number;
  /** Largest frame a client may send, as for HTTP bodies. */
  readonly maxFrameBytes: number;
}

/**
 * The close codes of this door. graphql-ws' own: 4400 bad message, 4401 unauthenticated,
 * 4403 forbidden, 4406 wrong subprotocol, 4408 no connection_init in time, 4409 duplicate
 * subscription id, 4429 a second connection_init; 1009 a frame over the size limit (ws).
 */
export const DoorCloseCode = {
  /** The client does not read: more than maxBufferedBytes wait for it. */
  SlowConsumer: 4008,
  /** Its principal already holds connectionsPerPrincipal connections. */
  TooManyConnections: 4029,
  /** Its address failed to authenticate too often; the reason says when to retry. */
  AuthenticationRateLimited: 1013,
  /** The server is stopping. */
  GoingAway: 1001,
} as const;

export interface WebSocketDoorOptions {
  readonly path: string;
  readonly limits: QueryLimits;
  readonly sizes: ListSizes;
  readonly socketLimits: WebSocketLimits;
  readonly fieldSuggestions: boolean;
  readonly schema: () => GraphQLSchema;
  /** What resolvers find in their context beside the principal (Mercurius' `app`). */
  readonly baseContext: () => Record<string, unknown>;
  readonly authenticate: (authorization: unknown) => RequestAuth;
  readonly authFailures: AuthFailureLimit;
  readonly report: (error: unknown) => void;
}

interface ConnectionExtra {
  readonly socket: WebSocket;
  /** Sends a message already in JSON, within the connection's buffer bound. */
  readonly send: (data: string) => void;
  readonly request: IncomingMessage;
  principal?: Principal;
  principalKey?: string;
  /** Set once a subscribe is refused for the principal's role: closed with 4403 after the answer. */
  forbidden?: string;
}

type DoorContext = Context<Record<string, unknown> | undefined, ConnectionExtra>;

/** graphql-ws limits a close reason to 123 bytes. */
const reasonOf = (text: string): string =>
  Buffer.byteLength(text) > 123 ? text.slice(0, 120) + '…' : text;

/**
 * The WebSocket door (graphql-transport-ws on the GraphQL path): graphql-ws' reference
 * server for the protocol, with the HTTP door's gate in front of every subscription (the
 * same parse, validation rules, limits and cost in operation-gate.ts, the same error
 * mapping in client-errors.ts) and bounds per connection and principal.
 *
 * Each event is executed and serialised once per distinct subscription (same document,
 * variables and role), however many connections hold it: the JSON is kept with the event
 * and sent as it is.
 */
export class WebSocketDoor {
  private readonly sockets: WebSocketServer;
  private readonly connectionsByPrincipal = new Map<string, number>();
  private readonly serialised = new OncePerEvent();
  private stopping = false;

  constructor(private readonly options: WebSocketDoorOptions) {
    this.sockets = new WebSocketServer({
      noServer: true,
      maxPayload: options.socketLimits.maxFrameBytes,
      handleProtocols: (protocols) =>
        protocols.has('graphql-transport-ws') ? 'graphql-transport-ws' : false,
    });
  }

  attach(server: Server): void {
    const protocol = this.protocol();
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      const path = (request.url ?? '').split('?')[0];
      if (path !== this.options.path || this.stopping) {
        socket.end('HTTP/1.1 404 Not Found\r\nConnection: close\r\n\r\n');
        return;
      }
      this.sockets.handleUpgrade(request, socket, head, (ws) => this.opened(protocol, ws, request));
    });
  }

  /** Closes every connection (1001) so that the HTTP server can stop. */
  close(): void {
    this.stopping = true;
    for (const client of this.sockets.clients) {
      client.close(DoorCloseCode.GoingAway, 'the server is stopping');
    }
    // A client that does not answer the close handshake is cut off.
    const cutOff = setTimeout(() => {
      for (const client of this.sockets.clients) client.terminate();
    }, 1000);
    cutOff.unref();
    this.sockets.close();
  }

  private opened(
    protocol: ReturnType<typeof makeServer<Record<string, unknown> | undefined, ConnectionExtra>>,
    ws: WebSocket,
    request: IncomingMessage,
  ): void {
    const { maxBufferedBytes } = this.options.socketLimits;
    const closeWith = (code: number, reason: string) => {
      if (ws.readyState === WebSocket.OPEN) ws.close(code, reasonOf(reason));
    };
    // Never waits for the client to read: what it does not read piles up in the socket's
    // buffer, and past the bound the connection is closed instead of growing the heap.
    const send = (data: string): void => {
      if (ws.readyState !== WebSocket.OPEN) return;
      if (ws.bufferedAmount + Buffer.byteLength(data) > maxBufferedBytes) {
        closeWith(
          DoorCloseCode.SlowConsumer,
          `slow consumer: more than ${maxBufferedBytes} bytes wait to be sent`,
        );
        return;
      }
      ws.send(data);
      // A refusal for the principal's role is answered, then the connection closed (4403).
      if (extra.forbidden !== undefined) closeWith(CloseCode.Forbidden, extra.forbidden);
    };
    const extra: ConnectionExtra = { socket: ws, request, send };
    ws.on('error', () => ws.terminate());
    const closed = protocol.opened(
      {
        protocol: ws.protocol,
        send,
        close: (code, reason) => closeWith(code ?? 1000, reason ?? ''),
        onMessage: (handle) =>
          ws.on('message', (data, isBinary) => {
            if (isBinary) {
              closeWith(CloseCode.BadRequest, 'binary frames are not accepted: send JSON text');
              return;
            }
            const text = data.toString();
            // graphql-ws throws (rather than closes) on a message type it does not know.
            if (isOfUnknownType(text)) {
              closeWith(CloseCode.BadRequest, 'unknown message type');
              return;
            }
            handle(text).catch((error: unknown) => {
              this.options.report(error);
              closeWith(CloseCode.InternalServerError, 'Internal server error');
            });
          }),
      },
      extra,
    );
    ws.once('close', (code, reason) => {
      this.release(extra);
      void closed(code, reason.toString()).catch((error: unknown) => this.options.report(error));
    });
  }

  private protocol() {
    const options = this.options;
    return makeServer<Record<string, unknown> | undefined, ConnectionExtra>({
      connectionInitWaitTimeout: options.socketLimits.initTimeoutMs,
      onConnect: async (ctx) => this.admitConnection(ctx),
      onSubscribe: (ctx, id, payload) => {
        const active = Object.keys(ctx.subscriptions).length;
        // The subscription asking is counted among them already.
        if (active > options.socketLimits.subscriptionsPerConnection) {
          return [
            new GraphQLError(
              `subscriptions: at most ${options.socketLimits.subscriptionsPerConnection} may be active on one connection`,
              { originalError: new QueryLimitError('subscriptions', 'too many subscriptions') },
            ),
          ];
        }
        const admission = admit(options.limits, options.sizes, options.schema(), payload, [
          OperationTypeNode.SUBSCRIPTION,
        ]);
        if (!admission.admitted) return [...admission.errors];
        const args: ExecutionArgs = {
          schema: options.schema(),
          document: admission.document,
          variableValues: admission.variables,
          operationName: admission.operationName,
          contextValue: Object.assign({}, options.baseContext(), {
            principal: ctx.extra.principal,
            [DELIVER]: deliverer(ctx.extra.send, id),
          }),
        };
        return args;
      },
      subscribe: (args) => this.subscribeOnce(args),
      onNext: (ctx, _id, _payload, _args, result) => this.formatted(ctx, result),
      onError: (ctx, _id, _payload, errors) => this.formattedErrors(ctx, errors),
    });
  }

  private async admitConnection(ctx: DoorContext): Promise<boolean> {
    const { socket, request } = ctx.extra;
    const address = request.socket.remoteAddress ?? 'unknown';
    const authorization =
      ctx.connectionParams?.['authorization'] ?? ctx.connectionParams?.['Authorization'];
    if (authorization !== undefined) {
      const retryAfter = await this.options.authFailures.retryAfter(address);
      if (retryAfter !== undefined) {
        socket.close(
          DoorCloseCode.AuthenticationRateLimited,
          `too many failed authentications from this address: retry in ${retryAfter} s`,
        );
        return false;
      }
    }
    const auth = this.options.authenticate(authorization);
    if (auth.principal === undefined) {
      if (auth.authError !== undefined) await this.options.authFailures.failed(address);
      const why = auth.authError?.message ?? 'credentials are required';
      socket.close(CloseCode.Unauthorized, reasonOf(`Unauthorized: ${why}`));
      return false;
    }
    const key = auth.principal.id ?? '(open)';
    const held = this.connectionsByPrincipal.get(key) ?? 0;
    if (held >= this.options.socketLimits.connectionsPerPrincipal) {
      socket.close(
        DoorCloseCode.TooManyConnections,
        `too many connections: at most ${this.options.socketLimits.connectionsPerPrincipal} per principal`,
      );
      return false;
    }
    this.connectionsByPrincipal.set(key, held + 1);
    ctx.extra.principal = auth.principal;
    ctx.extra.principalKey = key;
    return true;
  }

  private release(extra: ConnectionExtra): void {
    const key = extra.principalKey;
    extra.principalKey = undefined;
    if (key === undefined) return;
    const held = (this.connectionsByPrincipal.get(key) ?? 1) - 1;
    if (held <= 0) this.connectionsByPrincipal.delete(key);
    else this.connectionsByPrincipal.set(key, held);
  }

  /**
   * graphql-js' subscribe, except that each event's result is computed and serialised once
   * per distinct subscription (document, operation, variables, role), kept with the event for
   * the next subscriber, and written to the socket as it is. The stream yields only results
   * with errors (graphql-ws formats and sends those); it ends when the client completes.
   */
  private async subscribeOnce(
    args: ExecutionArgs,
  ): Promise<AsyncGenerator<ExecutionResult> | ExecutionResult> {
    const source = await createSourceEventStream(args);
    if (!(Symbol.asyncIterator in source)) {
      // Refused before any event (variables, role): thrown from the stream, graphql-ws answers
      // with an `error` message, as for a refusal by the gate, not with a `next`.
      const [first] = source.errors ?? [new GraphQLError('the subscription did not start')];
      return refusedStream(first.originalError ?? first);
    }
    const iterator = source[Symbol.asyncIterator]();
    const context = args.contextValue as {
      principal?: Principal;
      [DELIVER]: (json: string) => void;
    };
    const deliver = context[DELIVER];
    const key = `${print(args.document)}\u0000${JSON.stringify([
      context.principal?.role,
      args.operationName ?? null,
      args.variableValues ?? {},
    ])}`;
    let stopped = false;
    const next = async (): Promise<IteratorResult<ExecutionResult>> => {
      for (;;) {
        const step = await iterator.next();
        if (step.done === true || stopped) return { done: true, value: undefined };
        const event = step.value as object;
        const answer = await this.serialised.answer(event, key, () =>
          execute(Object.assign({}, args, { rootValue: event })),
        );
        if (typeof answer !== 'string') return { done: false, value: answer };
        deliver(answer);
      }
    };
    // Not awaited: the resolver's stream (Mercurius' withFilter, an async generator) only
    // takes its `return` once its pending `next` settles, at the next event published.
    const stop = async (): Promise<IteratorResult<ExecutionResult>> => {
      stopped = true;
      void iterator.return?.()?.catch(() => undefined);
      return { done: true, value: undefined };
    };
    const generator: AsyncGenerator<ExecutionResult> = {
      next,
      return: stop,
      throw: async (error: unknown) => {
        await stop();
        throw error;
      },
      [Symbol.asyncIterator]() {
        return this;
      },
    };
    return generator;
  }

  private formatted(ctx: DoorContext, result: ExecutionResult): ExecutionResult | void {
    if (result.errors === undefined || result.errors.length === 0) return;
    return {
      data: result.data ?? null,
      errors: this.formattedErrors(ctx, result.errors) as unknown as GraphQLError[],
    };
  }

  private formattedErrors(
    ctx: DoorContext,
    errors: readonly GraphQLError[],
  ): GraphQLFormattedError[] {
    const formatted = errors.flatMap((error) =>
      toClientErrors(error, this.options.report, {
        fieldSuggestions: this.options.fieldSuggestions,
      }),
    );
    const forbidden = formatted.find((error) => error.extensions?.['code'] === 'FORBIDDEN');
    if (forbidden !== undefined) ctx.extra.forbidden = `Forbidden: ${forbidden.message}`;
    const unauthenticated = errors.some(
      (error) => error.originalError instanceof UnauthenticatedError,
    );
    if (unauthenticated) ctx.extra.forbidden = 'Unauthorized';
    return formatted;
  }
}

const MESSAGE_TYPES: ReadonlySet<string> = new Set(Object.values(MessageType));

/** A JSON object whose `type` is a string the protocol does not have. */
function isOfUnknownType(text: string): boolean {
  try {
    const message: unknown = JSON.parse(text);
    if (message === null || typeof message !== 'object') return false;
    const type = (message as { type?: unknown }).type;
    return typeof type === 'string' && !MESSAGE_TYPES.has(type);
  } catch {
    // Not JSON: graphql-ws closes it with 4400 itself.
    return false;
  }
}

function refusedStream(error: Error): AsyncGenerator<ExecutionResult> {
  return {
    next: () => Promise.reject(error),
    return: () => Promise.resolve({ done: true, value: undefined }),
    throw: (thrown: unknown) => Promise.reject(thrown),
    [Symbol.asyncIterator]() {
      return this;
    },
  };
}

/**
 * Each event's answer for one distinct subscription (the key), computed once and shared by
 * every subscriber of it: as JSON, ready to send, or the result when it holds errors (those
 * are formatted per connection). The promise is kept, not the value, so that subscribers
 * that ask while it is being computed wait for it instead of computing it again. Kept with
 * the event: gone when the event is.
 */
export class OncePerEvent {
  private readonly byEvent = new WeakMap<object, Map<string, Promise<string | ExecutionResult>>>();

  answer(
    event: object,
    key: string,
    compute: () => ExecutionResult | Promise<ExecutionResult>,
  ): Promise<string | ExecutionResult> {
    let byKey = this.byEvent.get(event);
    if (byKey === undefined) this.byEvent.set(event, (byKey = new Map()));
    let answer = byKey.get(key);
    if (answer === undefined) {
      answer = Promise.resolve()
        .then(compute)
        .then((result) =>
          result.errors !== undefined && result.errors.length > 0 ? result : JSON.stringify(result),
        );
      byKey.set(key, answer);
    }
    return answer;
  }
}

/** Where a subscription's context keeps the function that sends its next messages. */
const DELIVER = Symbol('deliver');

function deliverer(send: (data: string) => void, id: string): (json: string) => void {
  const prefix = `{"id":${JSON.stringify(id)},"type":"next","payload":`;
  return (json) => send(`${prefix}${json}}`);
}
