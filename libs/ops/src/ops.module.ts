import { Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { LoggerModule } from 'nestjs-pino';
import { collectDefaultMetrics, register } from 'prom-client';
import { EventlogConfig } from '@eventlog/config';
import { StoreModule } from '@eventlog/store';
import { DependencyHealth, HealthController } from './health.controller';
import { MetricsController } from './metrics.controller';

if (!register.getSingleMetric('process_cpu_user_seconds_total')) collectDefaultMetrics();

/** Health, readiness, Prometheus metrics and JSON logs, the same in both apps. */
@Module({
  imports: [
    TerminusModule.forRoot({ errorLogStyle: 'json' }),
    StoreModule,
    LoggerModule.forRootAsync({
      inject: [EventlogConfig],
      useFactory: (config: EventlogConfig) => ({
        pinoHttp: {
          level: config.LOG_LEVEL,
          // Probes and scrapes are frequent and say nothing.
          autoLogging: { ignore: (req) => /^\/(health|metrics)/.test(req.url ?? '') },
          redact: ['req.headers.authorization', 'req.headers["x-auth-token"]'],
        },
      }),
    }),
  ],
  controllers: [HealthController, MetricsController],
  providers: [DependencyHealth],
})
export class OpsModule {}
