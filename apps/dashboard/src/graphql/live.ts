/**
 * The live feed: `eventRecorded` over graphql-ws. When the connection drops the page says so
 * and reconnects, asking for everything after the last position it saw (`after`), so
 * nothing recorded meanwhile is missed and nothing is shown twice.
 *
 * A server without `after` (it refuses the argument) is asked again without it, and the
 * page then reloads the whole view after each reconnect instead: `resumes` tells which.
 * Once every server has `after`, the fallback (LiveWithoutAfterDocument) can go.
 */
import { Client, createClient } from 'graphql-ws';
import { LiveWithoutAfterDocument, LiveWithoutAfterSubscription } from './generated';
import { authorizationHeader } from './client';

export type LiveEvent = LiveWithoutAfterSubscription['eventRecorded'];

/** The contract's `eventRecorded(after:)`; typed like the generated operation without it. */
const LIVE_AFTER =
  'subscription Live($after: String) { eventRecorded(after: $after) { position streamId type effectiveAt recordedAt } }';

export interface LiveHandlers {
  readonly onEvent: (event: LiveEvent) => void;
  readonly onStatus: (status: 'connecting' | 'live' | 'dropped') => void;
  /** Called after a reconnect that could not resume from the last position. */
  readonly onGap: () => void;
}

export class LiveFeed {
  private client: Client | null = null;
  private unsubscribe: (() => void) | null = null;
  private lastPosition: string | null = null;
  private afterSupported = true;
  private stopped = false;
  private retry = 0;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private readonly seen = new Set<string>();

  constructor(private readonly handlers: LiveHandlers) {}

  /** Starts listening; `after` is the position the page's view already includes, if known. */
  start(after: string | null): void {
    this.lastPosition = after;
    this.connect(false);
  }

  stop(): void {
    this.stopped = true;
    if (this.timer !== null) clearTimeout(this.timer);
    this.unsubscribe?.();
    void this.client?.dispose();
  }

  get resumes(): boolean {
    return this.afterSupported;
  }

  private connect(reconnecting: boolean): void {
    if (this.stopped) return;
    this.handlers.onStatus('connecting');
    const url = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/graphql`;
    const authorization = authorizationHeader();
    const client = createClient({
      url,
      retryAttempts: 0,
      lazy: false,
      connectionParams: authorization === undefined ? {} : { authorization },
      on: {
        connected: () => {
          this.retry = 0;
          this.handlers.onStatus('live');
          // Without `after`, or with nothing seen yet to resume from, the view reloads.
          if (reconnecting && (!this.afterSupported || this.lastPosition === null)) {
            this.handlers.onGap();
          }
        },
        closed: () => this.dropped(client),
      },
    });
    this.client = client;
    this.subscribe(client, this.afterSupported && this.lastPosition !== null);
  }

  private subscribe(client: Client, withAfter: boolean): void {
    let received = false;
    const query = withAfter ? LIVE_AFTER : LiveWithoutAfterDocument;
    const variables = withAfter ? { after: this.lastPosition } : {};
    this.unsubscribe = client.subscribe<LiveWithoutAfterSubscription>(
      { query, variables },
      {
        next: (result) => {
          const event = result.data?.eventRecorded;
          if (event === undefined) {
            if (withAfter && !received && result.errors !== undefined) this.withoutAfter(client);
            return;
          }
          received = true;
          if (this.seen.has(event.position)) return;
          this.remember(event.position);
          this.lastPosition = event.position;
          this.handlers.onEvent(event);
        },
        error: () => {
          // A refusal before any event: this server does not take `after` (or not this one).
          if (withAfter && !received && client === this.client) this.withoutAfter(client);
          else this.dropped(client);
        },
        complete: () => undefined,
      },
    );
  }

  private withoutAfter(client: Client): void {
    this.afterSupported = false;
    this.unsubscribe?.();
    this.subscribe(client, false);
    this.handlers.onGap();
  }

  private dropped(client: Client): void {
    if (this.stopped || client !== this.client) return;
    this.client = null;
    void client.dispose();
    this.handlers.onStatus('dropped');
    const delay = Math.min(10_000, 500 * 2 ** this.retry++);
    this.timer = setTimeout(() => this.connect(true), delay);
  }

  private remember(position: string): void {
    this.seen.add(position);
    if (this.seen.size > 5_000) {
      const oldest = this.seen.values().next().value;
      if (oldest !== undefined) this.seen.delete(oldest);
    }
  }
}
