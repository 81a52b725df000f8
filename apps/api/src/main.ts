import 'reflect-metadata';
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { createApp } from './app';
import { loadConfig } from './config';
import { redactEventStoreUrl } from '@partnerships/event-store/event-store-url';

async function main(): Promise<void> {
  const config = loadConfig(process.env);
  const app = await createApp(config);
  stopGracefullyOn(['SIGTERM', 'SIGINT'], app);
  await app.listen(config.port, config.host);
  const address = app.getHttpServer().address();
  const port = typeof address === 'object' && address !== null ? address.port : config.port;
  const host = config.host === '0.0.0.0' ? 'localhost' : config.host;
  new Logger('Main').log(
    `serving GraphQL at http://${host}:${port}/graphql on ${redactEventStoreUrl(config.eventStoreUrl)}`,
  );
}

/**
 * Stop taking requests, let those in flight finish (each command is acknowledged only
 * after its commit), close the store, and exit 0. A second signal exits at once.
 */
function stopGracefullyOn(signals: NodeJS.Signals[], app: NestFastifyApplication): void {
  const logger = new Logger('Main');
  let stopping = false;
  for (const signal of signals) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      logger.log(`${signal}: finishing requests in flight, then closing the event store`);
      app.close().then(
        () => {
          logger.log('stopped cleanly');
          process.exit(0);
        },
        (error: unknown) => {
          console.error(
            `stopping failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          process.exit(1);
        },
      );
    });
  }
}

main().catch((error: unknown) => {
  console.error(`could not start: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
