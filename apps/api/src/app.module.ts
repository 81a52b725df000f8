import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamicModule, Logger, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import { CqrsModule } from '@nestjs/cqrs';
import { GraphQLModule } from '@nestjs/graphql';
import { TerminusModule } from '@nestjs/terminus';
import { MercuriusDriver, MercuriusDriverConfig } from '@nestjs/mercurius';
import { GraphQLError, GraphQLScalarType, Kind, OperationTypeNode, parse } from 'graphql';
import { JSONResolver } from 'graphql-scalars';
import { DateTimeAsText } from './graphql/date-time';
import mercurius from 'mercurius';
import { CLOCK, systemClock } from './clock';
import { CommandRecorder } from './commands/command-recorder';
import { STREAM_STATES, StreamStateCache } from './commands/stream-states';
import { AccessGuard, RequestAuth, authenticateRequest } from './auth/access.guard';
import { fieldAccesses, guardedFields } from './auth/field-access';
import { Credentials } from './auth/credentials';
import { AppConfig } from './config';
import { toClientErrors } from './graphql/client-errors';
import { ListSizes, validationRules } from './graphql/query-limits';
import { admitOperation } from './graphql/operation-gate';
import { BudgetedContext, RequestBudget, budgetedSchema } from './graphql/request-budget';
import { requestContext } from './graphql/request-context';
import { ResolverErrorFilter } from './graphql/resolver-error.filter';
import { resolvers } from './graphql/resolvers';
import { HealthController } from './health/health.controller';
import { LoggedRequest, operationOf, reportFailure } from './logging';
import { EventPublisher } from './graphql/subscription.resolver';
import { ReadModel } from './read-model/read-model';
import { START_FILES, StartFiles } from './read-model/start-files';
import { AUDIT_CONFIG } from './read-model/audit-config';
import { SNAPSHOT_CONFIG } from './read-model/snapshot-writer';
import { EventStoreModule } from './store/event-store.module';
import { EventStore } from '@partnerships/event-store/event-store';
import { COMMAND_OBSERVER } from './commands/command-recorder';
import { Metrics } from './metrics/metrics';
import { METRICS_ACCESS } from './metrics/metrics-access';
import { MetricsController } from './metrics/metrics.controller';

export const SCHEMA_FILE = join(__dirname, 'graphql', 'schema.graphql');

const typeDefs = readFileSync(SCHEMA_FILE, 'utf8');

/** The role each entity field's resolver declares. */
const FIELD_ACCESSES = fieldAccesses(resolvers);

/** How long a query may hold the event loop before it lets other requests be served. */
const SLICE_MS = 20;
/** How many resolvers a query may start in one turn of the event loop. */
const CALLS_PER_TURN = 100;

/**
 * Library scalars' behaviour with the descriptions the schema file gives them, read from
 * its syntax tree: building a schema from the file for each (as before) cost every start
 * about 35 ms apiece.
 */
function describedBySchema(...scalars: GraphQLScalarType[]): Record<string, GraphQLScalarType> {
  const descriptions = new Map<string, string | undefined>();
  for (const definition of parse(typeDefs).definitions) {
    if (definition.kind === Kind.SCALAR_TYPE_DEFINITION) {
      descriptions.set(definition.name.value, definition.description?.value);
    }
  }
  return Object.fromEntries(
    scalars.map((scalar) => [
      scalar.name,
      new GraphQLScalarType(
        Object.assign({}, scalar.toConfig(), { description: descriptions.get(scalar.name) }),
      ),
    ]),
  );
}

@Module({})
export class AppModule {
  static forRoot(
    config: AppConfig,
    credentials: Credentials,
    sizes: ListSizes,
    store: EventStore,
    startFiles?: StartFiles,
  ): DynamicModule {
    const logger = new Logger('GraphQL');
    const authenticate = (authorization: unknown): RequestAuth =>
      authenticateRequest(credentials, authorization);
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        TerminusModule.forRoot({ logger: false }),
        EventStoreModule.forStore(store),
        GraphQLModule.forRoot<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          path: '/graphql',
          typeDefs,
          resolvers: describedBySchema(DateTimeAsText, JSONResolver),
          context: (request: FastifyRequest) => {
            const auth = authenticate(request.headers.authorization);
            (request.raw as LoggedRequest).principal = auth.principal?.id ?? null;
            return requestContext(auth);
          },
          // Subscriptions have a door of their own (graphql/websocket-door.ts), through the
          // same gate: Mercurius' WebSocket server knows none of the limits.
          subscription: false,
          // Entity fields' roles are checked in the schema (transformSchema below), not by a
          // guard and filter pipeline around every field resolver.
          graphql: { parseOptions: { maxTokens: config.limits.tokens } },
          // With graphql-js' own rules, these are operation-gate.ts' requestRules.
          validationRules: validationRules(config.limits),
          hooks: {
            preExecution: async (schema, document, context, variables) => {
              const body = context.reply.request.body as
                { operationName?: string | null } | undefined;
              // GraphQL over HTTP allows `"operationName": null` for "none given".
              const operationName = body?.operationName ?? undefined;
              (context.reply.request.raw as LoggedRequest).operation = operationOf(
                document,
                operationName,
              );
              const operation = admitOperation(
                config.limits,
                sizes,
                schema,
                document,
                variables,
                operationName,
              );
              // Queries only: a mutation that was recorded is answered, never cut short.
              if (operation.operation === OperationTypeNode.QUERY) {
                const { reply } = context;
                (context as BudgetedContext).budget = new RequestBudget(
                  config.maxRequestMs,
                  SLICE_MS,
                  CALLS_PER_TURN,
                  (error) => {
                    const errors = toClientErrors(
                      new GraphQLError(error.message, { originalError: error }),
                      () => undefined,
                    );
                    void reply.code(400).send({ data: null, errors });
                  },
                );
              }
            },
          },
          jit: 1,
          transformSchema: (schema) => guardedFields(budgetedSchema(schema), FIELD_ACCESSES),
          // GraphiQL is served from the project's own bundle (apps/dashboard), not a CDN.
          graphiql: false,
          errorFormatter: (execution, context) => {
            const { statusCode } = mercurius.defaultErrorFormatter(execution, context);
            return {
              statusCode,
              response: {
                data: execution.data ?? null,
                errors: execution.errors.flatMap((error) =>
                  toClientErrors(
                    error,
                    (cause) => reportFailure(context.reply?.request.raw, logger, cause),
                    config.limits,
                  ),
                ),
              },
            };
          },
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: AUDIT_CONFIG, useValue: config.audit },
        { provide: SNAPSHOT_CONFIG, useValue: config.snapshot },
        { provide: METRICS_ACCESS, useValue: config.metrics },
        Metrics,
        { provide: COMMAND_OBSERVER, useExisting: Metrics },
        { provide: CLOCK, useValue: systemClock },
        ...(startFiles === undefined ? [] : [{ provide: START_FILES, useValue: startFiles }]),
        ReadModel,
        EventPublisher,
        { provide: STREAM_STATES, useValue: new StreamStateCache(config.commandCacheEvents) },
        CommandRecorder,
        ...resolvers,
        { provide: APP_FILTER, useClass: ResolverErrorFilter },
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
    };
  }
}
