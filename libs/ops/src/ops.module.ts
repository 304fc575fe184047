import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { collectDefaultMetrics, register } from 'prom-client';
import { EventlogConfig } from '@eventlog/config';
import { StoreModule } from '@eventlog/store';
import { DependencyHealth, HealthController } from './health.controller';
import { logOptions } from './log-options';
import { MetricsController } from './metrics.controller';

if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();

/** Health, readiness, Prometheus metrics and logs (JSON, or pretty on a terminal), the same in every app. */
@Module({
  imports: [
    TerminusModule.forRoot({ errorLogStyle: 'json' }),
    StoreModule,
    LoggerModule.forRootAsync({
      inject: [EventlogConfig],
      useFactory: logOptions,
    }),
  ],
  controllers: [HealthController, MetricsController],
  providers: [DependencyHealth],
})
export class OpsModule {}
