import WebSocket from 'ws';

export interface ProtocolMessage {
  readonly type: string;
  readonly id?: string;
  readonly payload?: any;
}

export interface Closure {
  readonly code: number;
  readonly reason: string;
}

/** How long to wait for something the server should do before calling the test failed. */
const BOUND_MS = 10_000;

/**
 * A WebSocket spoken to message by message (graphql-transport-ws by hand), so that a test
 * can send what a graphql-ws client never would and see every message and the close code.
 */
export class WsConnection {
  readonly messages: ProtocolMessage[] = [];
  readonly closed: Promise<Closure>;
  private readonly waiters = new Set<() => void>();
  private closure: Closure | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      this.messages.push(JSON.parse(data.toString()) as ProtocolMessage);
      this.wake();
    });
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => {
        this.closure = { code, reason: reason.toString() };
        this.wake();
        resolve(this.closure);
      });
    });
    socket.on('error', () => undefined);
  }

  static open(url: string, protocol = 'graphql-transport-ws'): Promise<WsConnection> {
    const socket = new WebSocket(url, protocol);
    const connection = new WsConnection(socket);
    return new Promise((resolve, reject) => {
      socket.once('open', () => resolve(connection));
      socket.once('unexpected-response', (_request, response) =>
        reject(new Error(`upgrade refused: ${response.statusCode}`)),
      );
      socket.once('error', reject);
    });
  }

  /** Opens and initialises; resolves once acknowledged. */
  static async ready(url: string, payload?: Record<string, unknown>): Promise<WsConnection> {
    const connection = await WsConnection.open(url);
    connection.send({ type: 'connection_init', ...(payload ? { payload } : {}) });
    await connection.next((message) => message.type === 'connection_ack');
    return connection;
  }

  send(message: unknown): void {
    this.socket.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  subscribe(
    id: string,
    query: string,
    variables?: Record<string, unknown>,
    operationName?: string,
  ): void {
    this.send({ type: 'subscribe', id, payload: { query, variables, operationName } });
  }

  /** The first message (in arrival order) that matches; waits for it. */
  async next(matches: (message: ProtocolMessage) => boolean): Promise<ProtocolMessage> {
    return this.until(() => this.messages.find(matches), 'a matching message');
  }

  /** The close code and reason, once the server closed the connection. */
  async closedWith(): Promise<Closure> {
    return this.until(() => this.closure, 'the connection to close');
  }

  of(id: string): ProtocolMessage[] {
    return this.messages.filter((message) => message.id === id);
  }

  close(): void {
    this.socket.terminate();
  }

  private async until<T>(found: () => T | undefined, what: string): Promise<T> {
    const started = Date.now();
    for (;;) {
      const value = found();
      if (value !== undefined) return value;
      const left = BOUND_MS - (Date.now() - started);
      if (left <= 0) {
        throw new Error(`waited in vain for ${what}; got: ${JSON.stringify(this.messages)}`);
      }
      if (this.closure !== undefined && what !== 'the connection to close') {
        throw new Error(
          `closed (${this.closure.code} ${this.closure.reason}) before ${what}; got: ${JSON.stringify(this.messages)}`,
        );
      }
      await new Promise<void>((resolve) => {
        const wake = () => {
          clearTimeout(timer);
          this.waiters.delete(wake);
          resolve();
        };
        const timer = setTimeout(wake, left);
        this.waiters.add(wake);
      });
    }
  }

  private wake(): void {
    for (const wake of this.waiters) wake();
  }
}
