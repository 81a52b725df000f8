/**
 * The server, once main has read its configuration: the application, its port, and a
 * graceful stop.
 */
import { Logger } from '@nestjs/common';
import { NestFastifyApplication } from '@nestjs/platform-fastify';
import { EVENT_STORE, EventStore } from '@partnerships/event-store/event-store';
import { createApp } from './app';
import { AppConfig } from './config';
import { FINAL_FLUSH_MS, flushLogs } from './logging';
import type { StartFiles } from './read-model/start-files';
import { redactEventStoreUrl } from '@partnerships/event-store/event-store-url';

export async function serve(config: AppConfig, startFiles: StartFiles | undefined): Promise<void> {
  const app = await createApp(config, { startFiles });
  stopGracefullyOn(['SIGTERM', 'SIGINT'], app, config.stopDeadlineMs);
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
 * after its commit), close the store, and exit 0. A stop always ends: past the deadline
 * the store is closed directly (what it has acknowledged is committed) and the process
 * exits 1; the final log flush gives up on a stdout that does not take it. A second
 * signal exits at once.
 */
function stopGracefullyOn(
  signals: NodeJS.Signals[],
  app: NestFastifyApplication,
  deadlineMs: number,
): void {
  const logger = new Logger('Main');
  let stopping = false;
  const exit = (code: number): void => {
    void flushLogs(FINAL_FLUSH_MS).then(() => process.exit(code));
  };
  for (const signal of signals) {
    process.on(signal, () => {
      if (stopping) process.exit(1);
      stopping = true;
      logger.log(`${signal}: finishing requests in flight, then closing the event store`);
      const deadline = setTimeout(() => {
        logger.error(`the stop took longer than ${deadlineMs} ms: closing the event store now`);
        app
          .get<EventStore>(EVENT_STORE)
          .close()
          .then(
            () => exit(1),
            () => exit(1),
          );
      }, deadlineMs);
      deadline.unref();
      app.close().then(
        () => {
          clearTimeout(deadline);
          logger.log('stopped cleanly');
          exit(0);
        },
        (error: unknown) => {
          logger.error(
            `stopping failed: ${error instanceof Error ? error.message : String(error)}`,
          );
          exit(1);
        },
      );
    });
  }
}
