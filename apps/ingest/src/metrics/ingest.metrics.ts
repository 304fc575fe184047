import { Injectable } from '@nestjs/common';
import { Counter, Gauge, Histogram, register } from 'prom-client';

function metric<T>(name: string, make: () => T): T {
  return (register.getSingleMetric(name) as T | undefined) ?? make();
}

/** Prometheus series of the ingest app (contract 4, Operations). */
@Injectable()
export class IngestMetrics {
  readonly consumed = metric('eventlog_ingest_records_consumed_total', () =>
    new Counter({ name: 'eventlog_ingest_records_consumed_total', help: 'Kafka records consumed', labelNames: ['topic'] }),
  );
  readonly outcomes = metric('eventlog_ingest_outcomes_total', () =>
    new Counter({
      name: 'eventlog_ingest_outcomes_total',
      help: 'Records by outcome (persisted, duplicate, rejected) and rejection code',
      labelNames: ['outcome', 'code'],
    }),
  );
  readonly batchSize = metric('eventlog_ingest_batch_size', () =>
    new Histogram({
      name: 'eventlog_ingest_batch_size',
      help: 'Records per Kafka batch',
      buckets: [1, 10, 50, 100, 250, 500, 1000, 2000, 5000],
    }),
  );
  readonly batchSeconds = metric('eventlog_ingest_batch_duration_seconds', () =>
    new Histogram({
      name: 'eventlog_ingest_batch_duration_seconds',
      help: 'Time from a batch arriving to its outcomes being durable',
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    }),
  );
  readonly retries = metric('eventlog_ingest_retries_total', () =>
    new Counter({ name: 'eventlog_ingest_retries_total', help: 'Batches retried after a transient failure' }),
  );
  readonly lag = metric('eventlog_ingest_consumer_lag', () =>
    new Gauge({
      name: 'eventlog_ingest_consumer_lag',
      help: 'Records behind the partition high watermark after the last batch',
      labelNames: ['topic', 'partition'],
    }),
  );
  readonly relayed = metric('eventlog_relay_published_total', () =>
    new Counter({
      name: 'eventlog_relay_published_total',
      help: 'Events published to the outbound topic, by where the relay took them: memory (appended by this process) or postgres',
      labelNames: ['read'],
    }),
  );
  readonly relayActive = metric('eventlog_relay_active', () =>
    new Gauge({ name: 'eventlog_relay_active', help: '1 while this process holds the relay lease' }),
  );
  readonly relayLagEvents = metric('eventlog_relay_lag_events', () =>
    new Gauge({ name: 'eventlog_relay_lag_events', help: 'Persisted events not yet published' }),
  );
  readonly relayLagSeconds = metric('eventlog_relay_lag_seconds', () =>
    new Gauge({ name: 'eventlog_relay_lag_seconds', help: 'Age of the oldest persisted event not yet published' }),
  );
  readonly stallDetectorActive = metric('eventlog_stall_detector_active', () =>
    new Gauge({ name: 'eventlog_stall_detector_active', help: '1 while this process holds the stall detector lease' }),
  );
  readonly chainsStalled = metric('eventlog_chains_stalled_total', () =>
    new Counter({ name: 'eventlog_chains_stalled_total', help: 'ChainStalled events produced to the ingest topic (a resend counts again)' }),
  );
}
