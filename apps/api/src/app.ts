import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { Logger, LoggerService, LogLevel } from '@nestjs/common';
import { Credentials } from './auth/credentials';
import { Logger as PinoLogger } from 'nestjs-pino';
import { AppModule } from './app.module';
import { AppConfig, ConfigurationError } from './config';
import { serveDashboard } from './dashboard/serve-dashboard';

/** Request bodies over 1 MB (10^6 bytes) are refused with HTTP 413 before they are parsed. */
export const BODY_LIMIT_BYTES = 1_000_000;

export interface AppOptions {
  readonly logger?: LoggerService | LogLevel[] | false;
}

export async function createApp(
  config: AppConfig,
  options: AppOptions = {},
): Promise<NestFastifyApplication> {
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
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, credentials),
    new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES }),
    { bufferLogs: options.logger === undefined, logger: options.logger, abortOnError: false },
  );
  if (options.logger === undefined) app.useLogger(app.get(PinoLogger));
  // While stopping, every answer closes its connection: a keep-alive client could otherwise
  // hold the server open with requests it would only be refused.
  const fastify = app.getHttpAdapter().getInstance();
  let closing = false;
  fastify.addHook('preClose', async () => {
    closing = true;
  });
  fastify.addHook('onSend', async (_request, reply) => {
    if (closing) reply.header('connection', 'close');
  });
  // GraphQL over HTTP lets a client send `"extensions": null`; Mercurius' body schema
  // would refuse it, so it is read as absent.
  app
    .getHttpAdapter()
    .getInstance()
    .addHook('preValidation', async (request) => {
      const body = request.body as Record<string, unknown> | null | undefined;
      if (body !== null && typeof body === 'object' && body['extensions'] === null) {
        delete body['extensions'];
      }
    });
  serveDashboard(app, { production: config.production });
  return app;
}
