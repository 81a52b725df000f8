import { createHash, timingSafeEqual } from 'node:crypto';
import { Controller, Get, Headers, Inject, Res } from '@nestjs/common';
import { FastifyReply } from 'fastify';
import { Allow } from '../auth/allow.decorator';
import { Metrics } from './metrics';
import { METRICS_ACCESS, MetricsAccess } from './metrics-access';

/**
 * GET /metrics for a Prometheus scraper. It takes no API key or JWT: a scraper is not a
 * user. When METRICS_TOKEN is set it must come as `Authorization: Bearer <token>`; without
 * one the endpoint is open, except in production, where it is refused.
 */
@Controller()
@Allow('public')
export class MetricsController {
  constructor(
    private readonly metrics: Metrics,
    @Inject(METRICS_ACCESS) private readonly access: MetricsAccess,
  ) {}

  @Get('metrics')
  async scrape(
    @Headers('authorization') authorization: string | undefined,
    @Res() reply: FastifyReply,
  ): Promise<void> {
    const refusal = this.refusal(authorization);
    if (refusal !== undefined) {
      if (refusal.status === 401) reply.header('www-authenticate', 'Bearer realm="metrics"');
      await reply.status(refusal.status).type('text/plain; charset=utf-8').send(refusal.message);
      return;
    }
    const text = await this.metrics.registry.metrics();
    await reply.type(this.metrics.registry.contentType).send(text);
  }

  private refusal(
    authorization: string | undefined,
  ): { status: 401 | 403; message: string } | undefined {
    const { token, production } = this.access;
    if (token === undefined) {
      return production
        ? { status: 403, message: 'metrics are off in production until METRICS_TOKEN is set\n' }
        : undefined;
    }
    const sent = /^Bearer (.+)$/i.exec(authorization ?? '')?.[1];
    return sent !== undefined && sameSecret(sent, token)
      ? undefined
      : { status: 401, message: 'metrics need Authorization: Bearer <METRICS_TOKEN>\n' };
  }
}

/** Compares digests of equal length, in constant time: the answer's timing tells nothing. */
function sameSecret(sent: string, expected: string): boolean {
  const digest = (text: string): Buffer => createHash('sha256').update(text).digest();
  return timingSafeEqual(digest(sent), digest(expected));
}
