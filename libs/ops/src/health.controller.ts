import { Controller, Get, Inject, Injectable, OnApplicationShutdown } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { HealthCheck, HealthCheckService, HealthIndicatorService } from '@nestjs/terminus';
import { Admin, Kafka } from 'kafkajs';
import { Pool } from 'pg';
import { KAFKA } from '@eventlog/kafka';
import { PG_POOL } from '@eventlog/store';

const withTimeout = <T>(p: Promise<T>, ms: number) =>
  Promise.race([p, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);

@Injectable()
export class DependencyHealth implements OnApplicationShutdown {
  private admin?: Admin;

  constructor(
    private readonly indicators: HealthIndicatorService,
    @Inject(PG_POOL) private readonly pool: Pool,
    @Inject(KAFKA) private readonly client: Kafka,
  ) {}

  async postgres() {
    const indicator = this.indicators.check('postgres');
    try {
      await withTimeout(this.pool.query('SELECT 1'), 2000);
      return indicator.up();
    } catch (err) {
      return indicator.down({ message: (err as Error).message });
    }
  }

  async kafka() {
    const indicator = this.indicators.check('kafka');
    try {
      if (!this.admin) {
        const admin = this.client.admin();
        await withTimeout(admin.connect(), 3000);
        this.admin = admin;
      }
      const cluster = await withTimeout(this.admin.describeCluster(), 3000);
      return indicator.up({ brokers: cluster.brokers.length });
    } catch (err) {
      await this.admin?.disconnect().catch(() => undefined);
      this.admin = undefined;
      return indicator.down({ message: (err as Error).message });
    }
  }

  async onApplicationShutdown() {
    await this.admin?.disconnect();
  }
}

@ApiTags('operations')
@Controller('health')
export class HealthController {
  constructor(
    private readonly health: HealthCheckService,
    private readonly dependencies: DependencyHealth,
  ) {}

  /** The process is up. */
  @Get()
  @HealthCheck()
  live() {
    return this.health.check([]);
  }

  /** Postgres and Kafka answer; 503 otherwise. */
  @Get('ready')
  @HealthCheck()
  ready() {
    return this.health.check([() => this.dependencies.postgres(), () => this.dependencies.kafka()]);
  }
}
