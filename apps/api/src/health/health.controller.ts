import { Controller, Get, Inject } from '@nestjs/common';
import {
  HealthCheck,
  HealthCheckResult,
  HealthCheckService,
  HealthIndicatorResult,
  HealthIndicatorService,
} from '@nestjs/terminus';
import { EVENT_STORE, EventStore } from '@partnerships/event-store/event-store';
import { Allow } from '../auth/allow.decorator';
import { ReadModel } from '../read-model/read-model';

/** Liveness and readiness for load balancers and orchestrators; no credentials needed. */
@Controller()
@Allow('public')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly indicators: HealthIndicatorService,
    @Inject(EVENT_STORE) private readonly store: EventStore,
    private readonly readModel: ReadModel,
  ) {}

  /** Alive: the process answers. */
  @Get('health')
  @HealthCheck()
  alive(): Promise<HealthCheckResult> {
    return this.health.check([]);
  }

  /** Ready: the store answers and the read model holds everything it has recorded. */
  @Get('ready')
  @HealthCheck()
  ready(): Promise<HealthCheckResult> {
    return this.health.check([() => this.eventStore(), () => this.projections()]);
  }

  private async eventStore(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('eventStore');
    try {
      await this.store.readAll({ limit: 1 });
      return indicator.up();
    } catch (error) {
      return indicator.down({ reason: error instanceof Error ? error.name : 'unreachable' });
    }
  }

  private async projections(): Promise<HealthIndicatorResult> {
    const indicator = this.indicators.check('projections');
    const checkpoint = this.readModel.projection.checkpoint;
    try {
      const behind = await this.store.readAll({ after: checkpoint, limit: 1 });
      return behind.length === 0
        ? indicator.up({ events: this.readModel.projection.length })
        : indicator.down({ reason: 'catching up', checkpoint: checkpoint ?? null });
    } catch (error) {
      return indicator.down({ reason: error instanceof Error ? error.name : 'unreachable' });
    }
  }
}
