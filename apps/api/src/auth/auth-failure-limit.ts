import { FastifyInstance, FastifyRequest } from 'fastify';
import rateLimit from '@fastify/rate-limit';

export interface AuthFailureLimits {
  /** Failed authentications one client address may make per window (AUTH_FAILURES_MAX). */
  readonly max: number;
  /** The window, in seconds (AUTH_FAILURES_WINDOW_SECONDS). */
  readonly windowSeconds: number;
}

/** The part of a request the limit looks at: who is asking, by address. */
interface Addressed {
  readonly ip: string;
}

/**
 * Guesses are slowed: every failed authentication from a client address counts, and an
 * address over its limit is refused anything that carries credentials until the window
 * passes — also a valid key, or the refusal would tell a guess that hit from one that
 * missed. Requests without credentials, and those of addresses that do not fail, are never
 * counted or slowed. Counting is @fastify/rate-limit's (its store, with `increment: false`
 * to look without counting).
 */
export class AuthFailureLimit {
  private constructor(
    private readonly check: (
      request: FastifyRequest,
      options?: { increment?: boolean },
    ) => Promise<{ isAllowed: boolean; remaining?: number; ttlInSeconds?: number }>,
  ) {}

  static async register(
    fastify: FastifyInstance,
    limits: AuthFailureLimits,
  ): Promise<AuthFailureLimit> {
    await fastify.register(rateLimit, { global: false });
    const check = fastify.createRateLimit({
      max: limits.max,
      timeWindow: limits.windowSeconds * 1000,
      keyGenerator: (request) => request.ip,
    });
    return new AuthFailureLimit(check);
  }

  /** Seconds until this address may try again, or undefined when it may now. */
  async retryAfter(address: string): Promise<number | undefined> {
    const status = await this.check(asRequest(address), { increment: false });
    // `max` failures are allowed; once they are used up the address waits.
    return status.remaining === 0 ? Math.max(1, status.ttlInSeconds ?? 1) : undefined;
  }

  async failed(address: string): Promise<void> {
    await this.check(asRequest(address));
  }
}

/** The limiter reads the address and the route's (absent) group of a request. */
function asRequest(address: string): FastifyRequest {
  const addressed: Addressed & { routeOptions: { config: object } } = {
    ip: address,
    routeOptions: { config: {} },
  };
  return addressed as unknown as FastifyRequest;
}
