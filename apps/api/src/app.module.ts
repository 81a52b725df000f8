import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DynamicModule, Logger, Module, RequestMethod } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { FastifyRequest } from 'fastify';
import { CqrsModule } from '@nestjs/cqrs';
import { GraphQLModule } from '@nestjs/graphql';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { MercuriusDriver, MercuriusDriverConfig } from '@nestjs/mercurius';
import { GraphQLScalarType, buildSchema } from 'graphql';
import { DateTimeResolver, JSONResolver } from 'graphql-scalars';
import mercurius from 'mercurius';
import { CLOCK, systemClock } from './clock';
import { CommandRecorder } from './commands/command-recorder';
import { AccessGuard, RequestAuth } from './auth/access.guard';
import { Credentials } from './auth/credentials';
import { UnauthenticatedError } from './auth/principal';
import { AppConfig } from './config';
import { toClientErrors } from './graphql/client-errors';
import { checkCost, validationRules } from './graphql/query-limits';
import { DomainErrorFilter } from './graphql/domain-error.filter';
import { resolvers } from './graphql/resolvers';
import { HealthController } from './health/health.controller';
import { LoggedRequest, httpLogOptions, operationOf } from './logging';
import { EventPublisher } from './graphql/subscription.resolver';
import { ReadModel } from './read-model/read-model';
import { AUDIT_CONFIG } from './read-model/audit-config';
import { EventStoreModule } from './store/event-store.module';

export const SCHEMA_FILE = join(__dirname, 'graphql', 'schema.graphql');

const typeDefs = readFileSync(SCHEMA_FILE, 'utf8');

/** A library scalar's behaviour with the description the schema file gives it. */
function describedBySchema(scalar: GraphQLScalarType): GraphQLScalarType {
  const description = buildSchema(typeDefs).getType(scalar.name)?.description;
  return new GraphQLScalarType({ ...scalar.toConfig(), description });
}

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, credentials: Credentials): DynamicModule {
    const logger = new Logger('GraphQL');
    const authenticate = (authorization: unknown): RequestAuth => {
      try {
        return {
          principal: credentials.authenticate(
            typeof authorization === 'string' ? authorization : undefined,
          ),
        };
      } catch (error) {
        if (error instanceof UnauthenticatedError) return { authError: error };
        throw error;
      }
    };
    return {
      module: AppModule,
      imports: [
        CqrsModule.forRoot(),
        LoggerModule.forRoot({
          pinoHttp: httpLogOptions(config),
          // Probes ask every few seconds; their answers are in the metrics, not the log.
          exclude: ['health', 'ready'].map((path) => ({ path, method: RequestMethod.GET })),
        }),
        TerminusModule.forRoot({ logger: false }),
        EventStoreModule.forUrl(config.eventStoreUrl),
        GraphQLModule.forRoot<MercuriusDriverConfig>({
          driver: MercuriusDriver,
          path: '/graphql',
          typeDefs,
          resolvers: {
            DateTime: describedBySchema(DateTimeResolver),
            JSON: describedBySchema(JSONResolver),
          },
          context: (request: FastifyRequest) => {
            const auth = authenticate(request.headers.authorization);
            (request.raw as LoggedRequest).principal = auth.principal?.id ?? null;
            return auth;
          },
          // Subscriptions authenticate once, when the connection opens.
          subscription: {
            onConnect: ({ payload }: { payload?: Record<string, unknown> }) => {
              const auth = authenticate(payload?.['authorization'] ?? payload?.['Authorization']);
              return auth.principal === undefined ? false : auth;
            },
          },
          fieldResolverEnhancers: ['guards', 'filters'],
          graphql: { parseOptions: { maxTokens: config.limits.tokens } },
          validationRules: validationRules(config.limits),
          hooks: {
            preExecution: async (schema, document, context, variables) => {
              const body = context.reply.request.body as { operationName?: string } | undefined;
              (context.reply.request.raw as LoggedRequest).operation = operationOf(
                document,
                body?.operationName,
              );
              checkCost(config.limits, schema, document, variables, body?.operationName);
            },
          },
          jit: 1,
          graphiql: !config.production,
          errorFormatter: (execution, context) => {
            const { statusCode } = mercurius.defaultErrorFormatter(execution, context);
            return {
              statusCode,
              response: {
                data: execution.data ?? null,
                errors: execution.errors.flatMap((error) =>
                  toClientErrors(
                    error,
                    (cause) => logger.error(cause instanceof Error ? cause.stack : String(cause)),
                    config.limits,
                  ),
                ),
              },
            };
          },
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: AUDIT_CONFIG, useValue: config.audit },
        { provide: CLOCK, useValue: systemClock },
        ReadModel,
        EventPublisher,
        CommandRecorder,
        ...resolvers,
        { provide: APP_FILTER, useClass: DomainErrorFilter },
        { provide: APP_GUARD, useClass: AccessGuard },
      ],
    };
  }
}
