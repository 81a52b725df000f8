import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, NestFastifyApplication } from '@nestjs/platform-fastify';
import { LoggerService, LogLevel } from '@nestjs/common';
import { AppModule } from './app.module';
import { AppConfig } from './config';

/** Request bodies over 1 MiB are refused with HTTP 413 before they are parsed. */
export const BODY_LIMIT_BYTES = 1024 * 1024;

export interface AppOptions {
  readonly logger?: LoggerService | LogLevel[] | false;
}

export async function createApp(
  config: AppConfig,
  options: AppOptions = {},
): Promise<NestFastifyApplication> {
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config),
    new FastifyAdapter({ bodyLimit: BODY_LIMIT_BYTES }),
    { logger: options.logger ?? ['log', 'warn', 'error'], abortOnError: false },
  );
  app.enableShutdownHooks();
  return app;
}
