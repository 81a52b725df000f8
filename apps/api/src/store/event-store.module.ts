import {
  DynamicModule,
  Global,
  Inject,
  Injectable,
  Module,
  OnApplicationShutdown,
} from '@nestjs/common';
import { EVENT_STORE, EventStore } from '@partnerships/event-store/event-store';
import { openEventStore } from '@partnerships/event-store/event-store-url';

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
  static forUrl(url: string): DynamicModule {
    return {
      module: EventStoreModule,
      providers: [
        {
          provide: EVENT_STORE,
          useFactory: async (): Promise<EventStore> => {
            const store = openEventStore(url);
            try {
              await store.checkAccess?.();
            } catch (error) {
              await store.close();
              throw error;
            }
            return store;
          },
        },
        EventStoreLifecycle,
      ],
      exports: [EVENT_STORE],
    };
  }
}
