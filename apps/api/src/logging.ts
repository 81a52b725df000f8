import { IncomingMessage, ServerResponse } from 'node:http';
import { LoggerService } from '@nestjs/common';
import { DocumentNode, Kind, OperationDefinitionNode } from 'graphql';
import pino, { DestinationStream } from 'pino';
import { Options, pinoHttp } from 'pino-http';
import SonicBoom from 'sonic-boom';
import { AppConfig } from './config';

/** Log lines that may wait for a slow reader of stdout; past it, new lines are dropped. */
const LOG_BUFFER_BYTES = 4 * 1024 * 1024;

let flushUntil = Infinity;

/**
 * Where the log goes: stdout, written asynchronously with a bounded buffer. A reader that
 * stalls (a full pipe) costs dropped lines, never a blocked event loop or a growing heap,
 * and a reader that went away (EPIPE) costs the rest of the log, never the process. Made
 * here rather than by pino so that pino does not flush it at exit without end (it retries
 * a full pipe forever): `flushLogs` is the bounded final flush.
 */
let destination: SonicBoom | undefined;

export function logDestination(): SonicBoom {
  if (destination !== undefined) return destination;
  destination = new SonicBoom({
    // Reading process.stdout puts fd 1 in non-blocking mode: a full pipe answers EAGAIN
    // instead of blocking a write.
    fd: process.stdout.fd,
    sync: false,
    // Every line is written at once (any length >= 1), and flush(cb) waits for the writes
    // in flight (with minLength 0 it would answer at once).
    minLength: 1,
    maxLength: LOG_BUFFER_BYTES,
    // Lines wait as bytes, and each write takes all that waits. As text (the default), each
    // line appended to the waiting chunk copied the whole chunk, and a write took one chunk
    // of at most maxWrite: under load the backlog grew until lines were dropped (with 4 KiB
    // chunks, 36,000 requests answered in 8 s left 25,000 lines).
    contentMode: 'buffer',
    maxWrite: LOG_BUFFER_BYTES,
    retryEAGAIN: () => Date.now() < flushUntil,
  });
  destination.on('error', () => {
    // The reader is gone or the pipe stayed full past the final flush: the lines are lost.
  });
  return destination;
}

/** How long the last log lines may take to reach stdout before the process exits anyway. */
export const FINAL_FLUSH_MS = 500;

/**
 * Writes what is buffered, giving up after `withinMs` if stdout does not take it. Not
 * sonic-boom's flushSync: that one retries a full pipe, or a broken one, without end.
 */
export function flushLogs(withinMs: number): Promise<void> {
  flushUntil = Date.now() + withinMs;
  const stream = destination;
  if (stream === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, withinMs);
    try {
      stream.flush(() => {
        clearTimeout(timer);
        resolve();
      });
    } catch {
      // Nothing to flush into any more.
      clearTimeout(timer);
      resolve();
    }
  });
}

/**
 * The request log as a Fastify hook of the server's (app.ts), one line per request; the
 * probes (GET /health, /ready, /metrics) ask every few seconds, and their answers are in the
 * metrics, not the log. Not nestjs-pino's middleware: that one runs each request in an
 * AsyncLocalStorage context, which turns on async_hooks' promise hooks for every promise of
 * the process, and nothing here reads that context.
 */
export function requestLog(
  config: AppConfig,
): (request: IncomingMessage, response: ServerResponse) => void {
  const log = pinoHttp(...httpLogOptions(config));
  return (request, response) => {
    if (request.method === 'GET' && UNLOGGED_PATHS.has(pathOf(request.url ?? ''))) return;
    log(request, response);
  };
}

const UNLOGGED_PATHS = new Set(['/health', '/ready', '/metrics']);

function pathOf(url: string): string {
  const query = url.indexOf('?');
  const path = query === -1 ? url : url.slice(0, query);
  return path.length > 1 && path.endsWith('/') ? path.slice(0, -1) : path;
}

/**
 * A failure met while answering a request, on the request's own logger (its line carries
 * the request, as its "request completed" line does), or on `fallback` outside a request.
 */
export function reportFailure(
  request: IncomingMessage | undefined,
  fallback: LoggerService,
  cause: unknown,
): void {
  const text = cause instanceof Error ? cause.stack : String(cause);
  const log = (request as { log?: pino.Logger } | undefined)?.log;
  if (log === undefined) fallback.error(text);
  else log.error({ context: 'GraphQL' }, text);
}

/** What the GraphQL layer notes on a request for its log line. */
export interface LoggedRequest extends IncomingMessage {
  principal?: string | null;
  operation?: string;
}

/**
 * One JSON line per request with the GraphQL operation and the principal. Credentials are
 * never logged: no header is (the request is its id, method, URL and address), which also
 * spares every request the copy of its headers that masking them took.
 */
export function httpLogOptions(config: AppConfig): [Options, DestinationStream] {
  return [
    {
      level: config.logLevel,
      serializers: {
        req: (request: { id: unknown; method: string; url: string; remoteAddress: string }) => ({
          id: request.id,
          method: request.method,
          url: request.url,
          remoteAddress: request.remoteAddress,
        }),
        res: (response: { statusCode: number }) => ({ statusCode: response.statusCode }),
      },
      // Added to the request's line itself: pino-http's customProps made two more child
      // loggers per request for them (6 % of the server's thread under mutation load).
      customSuccessObject: (request, _response, line: object) => withOperation(request, line),
      customErrorObject: (request, _response, _error, line: object) => withOperation(request, line),
    },
    logLines,
  ];
}

/** Where pino writes: each line as bytes to `logDestination` (its buffer mode takes bytes). */
const logLines: DestinationStream = {
  write(line: string): void {
    (logDestination() as unknown as { write(bytes: Buffer): boolean }).write(Buffer.from(line));
  },
};

/** A request's log line with its GraphQL operation and principal, once it has them. */
function withOperation(request: IncomingMessage, line: object): object {
  const { operation, principal } = request as LoggedRequest;
  return operation === undefined
    ? line
    : Object.assign({}, line, { operation, principal: principal ?? null });
}

/** `query Dashboard` for a named operation, `query { group }` for an anonymous one. */
export function operationOf(document: DocumentNode, operationName: string | undefined): string {
  const operations = document.definitions.filter(
    (definition): definition is OperationDefinitionNode =>
      definition.kind === Kind.OPERATION_DEFINITION,
  );
  const operation =
    operations.find((candidate) => candidate.name?.value === operationName) ?? operations[0];
  if (operation === undefined) return 'unknown';
  if (operation.name !== undefined) return `${operation.operation} ${operation.name.value}`;
  const fields = operation.selectionSet.selections
    .map((selection) => (selection.kind === Kind.FIELD ? selection.name.value : '…'))
    .join(' ');
  return `${operation.operation} { ${fields} }`;
}
