import { Inject, Injectable, Logger, OnApplicationBootstrap, OnApplicationShutdown } from '@nestjs/common';
import { Kafka } from 'kafkajs';
import { once } from 'node:events';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { Worker } from 'node:worker_threads';
import { EventlogConfig } from '../../../../libs/config/src';
import { ensureTopicsWith, KAFKA, recordBytesFor } from '../../../../libs/kafka/src';
import { IngestMetrics } from '../metrics/ingest.metrics';
import { RelayCommand, RelayReport } from './relay-messages';

const RESTART_MS = 1000;
const STOP_TIMEOUT_MS = 15000;

/**
 * Runs the outbound relay (RelayLoop) in a worker thread of its own, so that serialising and
 * producing the outbound records never competes with the consumer on one event loop; turns the
 * worker's reports into metrics and log lines, and restarts it if it dies.
 */
@Injectable()
export class RelayService implements OnApplicationBootstrap, OnApplicationShutdown {
  private readonly logger = new Logger(RelayService.name);
  private worker?: Worker;
  private stopping = false;

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly config: EventlogConfig,
    private readonly metrics: IngestMetrics,
  ) {}

  async onApplicationBootstrap() {
    await ensureTopicsWith(this.kafka, [
      {
        topic: this.config.OUTBOUND_TOPIC,
        numPartitions: this.config.TOPIC_PARTITIONS,
        maxMessageBytes: recordBytesFor(this.config.MAX_EVENT_BYTES),
      },
    ]);
    this.spawn();
  }

  async onApplicationShutdown() {
    this.stopping = true;
    const worker = this.worker;
    if (!worker) return;
    const exited = once(worker, 'exit');
    worker.postMessage({ kind: 'stop' } satisfies RelayCommand);
    const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
  }

  private spawn() {
    const worker = new Worker(join(__dirname, 'relay.worker.js'));
    this.worker = worker;
    worker.on('message', (report: RelayReport) => this.onReport(report));
    worker.on('error', (err) => this.logger.error(`relay worker failed: ${err.message}`));
    worker.on('exit', (code) => {
      this.metrics.relayActive.set(0);
      if (this.stopping) return;
      this.logger.error(`relay worker exited (${code}); restarting in ${RESTART_MS} ms`);
      void sleep(RESTART_MS).then(() => this.stopping || this.spawn());
    });
  }

  private onReport(report: RelayReport) {
    switch (report.kind) {
      case 'active':
        this.metrics.relayActive.set(report.holding ? 1 : 0);
        break;
      case 'published':
        this.metrics.relayed.inc(report.count);
        break;
      case 'lag':
        this.metrics.relayLagEvents.set(report.events);
        this.metrics.relayLagSeconds.set(report.oldestSeconds);
        break;
      case 'log':
        this.logger[report.level](report.message);
        break;
    }
  }
}
