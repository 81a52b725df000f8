import { existsSync } from 'node:fs';
import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Logger,
  Module,
  OnApplicationShutdown,
} from '@nestjs/common';
import { EVENT_STORE, EventStore } from '@partnerships/event-store/event-store';
import { parseEventStoreUrl } from '@partnerships/event-store/event-store-url';
import { openEventStore } from '@partnerships/event-store/open-event-store';

/**
 * Opens the store EVENT_STORE_URL names, before the application is built, so that a store
 * that cannot be opened is one clear line at start-up rather than a framework's stack trace.
 * A SQLite file that does not exist yet is said to be created: a typo in a path would
 * otherwise silently start an empty store.
 */
export async function openConfiguredStore(url: string): Promise<EventStore> {
  const parsed = parseEventStoreUrl(url);
  if (parsed.kind === 'sqlite' && parsed.location !== ':memory:' && !existsSync(parsed.location)) {
    new Logger('EventStore').warn(`creating new store at ${parsed.location}`);
  }
  const store = openEventStore(url);
  // A store that denies reading its whole log (EventStoreDB's $all without the right ACL)
  // is refused here, with the grant it needs, instead of looping on access errors later.
  try {
    await store.checkAccess?.();
  } catch (error) {
    await store.close();
    throw error;
  }
  return store;
}

@Injectable()
class EventStoreLifecycle implements OnApplicationShutdown {
  constructor(@Inject(EVENT_STORE) private readonly store: EventStore) {}

  async onApplicationShutdown(): Promise<void> {
    await this.store.close();
  }
}

/** Provides the event store that EVENT_STORE_URL selects, closed at shutdown. */
@Global()
@Module({})
export class EventStoreModule {
  static forStore(store: EventStore): DynamicModule {
    return {
      module: EventStoreModule,
      providers: [{ provide: EVENT_STORE, useValue: store }, EventStoreLifecycle],
      exports: [EVENT_STORE],
    };
  }
}
