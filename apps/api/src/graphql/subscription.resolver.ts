import { Injectable, OnModuleDestroy } from '@nestjs/common';
import { Args, Resolver, Subscription } from '@nestjs/graphql';
import { PubSub } from 'graphql-subscriptions';
import { RecordedEventNode, toRecordedEventNode } from '@partnerships/projections/nodes';
import { Allow } from '../auth/allow.decorator';
import { ReadModel } from '../read-model/read-model';
import { replayThenLive } from './event-replay';

const EVENT_RECORDED = 'eventRecorded';

interface EventRecordedArgs {
  readonly streamPrefix?: string | null;
  readonly types?: readonly string[] | null;
}

/** The in-process PubSub, which can tell whether anyone listens for a trigger. */
class EventPubSub extends PubSub {
  /** Whether a subscription is listening: a publish without one reaches nobody. */
  listening(trigger: string): boolean {
    return this.ee.listenerCount(trigger) > 0;
  }
}

/** Publishes every event once it is committed and applied to the read model. */
@Injectable()
export class EventPublisher implements OnModuleDestroy {
  readonly pubSub = new EventPubSub();
  private readonly unsubscribe: () => void;

  constructor(readModel: ReadModel) {
    this.unsubscribe = readModel.follower.onEvent((event) => {
      // Nobody subscribed (a start catching up with the log, mostly): nothing to make.
      if (this.pubSub.listening(EVENT_RECORDED)) {
        void this.pubSub.publish(EVENT_RECORDED, toRecordedEventNode(event));
      }
    });
  }

  onModuleDestroy(): void {
    this.unsubscribe();
  }
}

@Resolver()
@Allow('auditor')
export class SubscriptionResolver {
  constructor(
    private readonly publisher: EventPublisher,
    private readonly readModel: ReadModel,
  ) {}

  @Subscription(EVENT_RECORDED, {
    filter: (event: RecordedEventNode, args: EventRecordedArgs) =>
      (!args.streamPrefix || event.streamId.startsWith(args.streamPrefix)) &&
      (!args.types || args.types.length === 0 || args.types.includes(event.type)),
    resolve: (event: RecordedEventNode) => event,
  })
  eventRecorded(
    @Args('streamPrefix') _streamPrefix: string | null,
    @Args('types') _types: string[] | null,
    @Args('after') after: string | null,
  ): AsyncIterableIterator<RecordedEventNode> | Promise<AsyncIterableIterator<RecordedEventNode>> {
    if (after != null) return replayThenLive(this.readModel, after);
    return this.publisher.pubSub.asyncIterableIterator<RecordedEventNode>(EVENT_RECORDED);
  }
}
