import { NestFactory } from '@nestjs/core';
import { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import 'mercurius';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, LoggerService, LogLevel } from '@nestjs/common';
import { Logger as NestPinoLogger, PinoLogger } from 'nestjs-pino';
import { AuthFailureLimit } from './auth/auth-failure-limit';
import { authenticateRequest } from './auth/access.guard';
import { Credentials } from './auth/credentials';
import { AppModule } from './app.module';
import { AppConfig, BODY_LIMIT_BYTES, ConfigurationError } from './config';
import { httpLogOptions, requestLog } from './logging';
import { serveDashboard } from './dashboard/serve-dashboard';
import { ASSUMED_LIST_SIZES, ListSizes } from './graphql/query-limits';
import { WebSocketDoor } from './graphql/websocket-door';
import { ReadModel } from './read-model/read-model';
import type { StartFiles } from './read-model/start-files';
import { ReadModelListSizes } from './read-model/list-sizes';
import { openConfiguredStore } from './store/event-store.module';

export { BODY_LIMIT_BYTES } from './config';

export interface AppOptions {
  readonly logger?: LoggerService | LogLevel[] | false;
  /** The start's files, when main began reading them before it loaded this code. */
  readonly startFiles?: StartFiles;
}

const GRAPHQL_PATH = '/graphql';

/** The read model's list sizes, once the read model exists (the module is built before it). */
class ListSizesOnceBuilt implements ListSizes {
  target: ListSizes = ASSUMED_LIST_SIZES;
  longest(typeName: string, fieldName: string): number {
    return this.target.longest(typeName, fieldName);
  }
  total(typeName: string, fieldName: string): number | undefined {
    return this.target.total?.(typeName, fieldName);
  }
}

/** Nest's log through pino, as JSON lines to the request log's destination. */
function serverLogger(config: AppConfig): LoggerService {
  const params = { pinoHttp: httpLogOptions(config) };
  return new NestPinoLogger(new PinoLogger(params), params);
}

export async function createApp(
  config: AppConfig,
  options: AppOptions = {},
): Promise<NestFastifyApplication> {
  // One logger from the first line on, so that what is said before Nest's application exists
  // (the warnings below, a store being created) is a JSON line like every other.
  const appLogger = options.logger ?? serverLogger(config);
  Logger.overrideLogger(appLogger);
  const credentials = Credentials.load(config.credentials);
  if (credentials.open) {
    if (config.production) {
      throw new ConfigurationError(
        'refusing to run without credentials in production: set API_KEYS, API_KEYS_FILE or JWT_SECRET',
      );
    }
    new Logger('Access').warn(
      'NO CREDENTIALS CONFIGURED: the server is OPEN, every request acts as a manager. ' +
        'Set API_KEYS, API_KEYS_FILE or JWT_SECRET before exposing it.',
    );
  }
  const sizes = new ListSizesOnceBuilt();
  const store = await openConfiguredStore(config.eventStoreUrl);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, credentials, sizes, store, options.startFiles),
    new FastifyAdapter({
      bodyLimit: BODY_LIMIT_BYTES,
      // The routes' schemas are the libraries' and ours, fixed in the code: checking them
      // against JSON Schema's own schema compiled that one at every start (about 35 ms).
      ajv: { customOptions: { validateSchema: false } },
    }),
    { logger: appLogger, abortOnError: false },
  );
  sizes.target = new ReadModelListSizes(app.get(ReadModel).projection);
  // Nest's adapter types its own copy of Fastify; the instance is the one installed here.
  const fastify = app.getHttpAdapter().getInstance() as unknown as FastifyInstance;

  // While stopping, every answer closes its connection: a keep-alive client could otherwise
  // hold the server open with requests it would only be refused.
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });

  // The hooks below run for every request: they take fastify's callback form, so that the
  // common case (nothing to do) costs no promise and no extra turn of the microtask queue.

  const logRequest = requestLog(config);
  fastify.addHook('onRequest', (request, reply, done) => {
    logRequest(request.raw, reply.raw);
    done();
  });

  // GraphQL over HTTP lets a client send `"extensions": null`; Mercurius' body schema
  // would refuse it, so it is read as absent.
  fastify.addHook('preValidation', (request, _reply, done) => {
    const body = request.body as Record<string, unknown> | null | undefined;
    if (body !== null && typeof body === 'object' && body['extensions'] === null) {
      delete body['extensions'];
    }
    done();
  });

  const authFailures = await AuthFailureLimit.register(fastify, config.authFailures);
  const limitAuthFailures = async (request: FastifyRequest, reply: FastifyReply) => {
    const authorization = request.headers.authorization;
    const retryAfter = await authFailures.retryAfter(request.ip);
    if (retryAfter !== undefined) {
      await reply
        .code(429)
        .header('retry-after', String(retryAfter))
        .send({
          data: null,
          errors: [
            {
              message: `too many failed authentications from this address: retry in ${retryAfter} s`,
              extensions: { code: 'RATE_LIMITED', retryAfter },
            },
          ],
        });
      return reply;
    }
    if (authenticateRequest(credentials, authorization).authError !== undefined) {
      await authFailures.failed(request.ip);
    }
    return undefined;
  };
  // Only requests that carry credentials are counted or refused.
  fastify.addHook('onRequest', (request, reply, done) => {
    if (request.headers.authorization === undefined || !request.url.startsWith(GRAPHQL_PATH)) {
      done();
      return;
    }
    limitAuthFailures(request, reply).then(
      (refused) => {
        if (refused === undefined) done();
      },
      (error: unknown) => done(error as Error),
    );
  });

  // The cost limit bounds what a query may reach; this bounds what slips past an estimate
  // (a list that grew since the sizes were measured) with a clear refusal.
  const withinResponseLimit = (
    request: FastifyRequest,
    reply: FastifyReply,
    payload: unknown,
  ): unknown => {
    if (typeof payload !== 'string' || !request.url.startsWith(GRAPHQL_PATH)) return payload;
    // A UTF-16 unit is at most 3 bytes of UTF-8: most answers need no count.
    if (payload.length * 3 <= config.maxResponseBytes) return payload;
    const bytes = Buffer.byteLength(payload);
    if (bytes <= config.maxResponseBytes) return payload;
    reply.code(400);
    return JSON.stringify({
      data: null,
      errors: [
        {
          message: `the answer would be ${bytes} bytes, over the limit of ${config.maxResponseBytes}: ask for smaller pages or fewer nested lists`,
          extensions: { code: 'BAD_USER_INPUT', limit: 'responseBytes' },
        },
      ],
    });
  };
  fastify.addHook('onSend', (request, reply, payload, done) => {
    if (closing) reply.header('connection', 'close');
    done(null, withinResponseLimit(request, reply, payload));
  });

  serveDashboard(app, { production: config.production });

  const logger = new Logger('GraphQL');
  const door = new WebSocketDoor({
    path: GRAPHQL_PATH,
    limits: config.limits,
    sizes,
    socketLimits: config.websocket,
    fieldSuggestions: config.limits.fieldSuggestions,
    schema: () => fastify.graphql.schema,
    baseContext: () => ({ app: fastify }),
    authenticate: (authorization) => authenticateRequest(credentials, authorization),
    authFailures,
    report: (error) => logger.error(error instanceof Error ? error.stack : String(error)),
  });
  door.attach(app.getHttpServer());
  fastify.addHook('preClose', async () => door.close());
  return app;
}
