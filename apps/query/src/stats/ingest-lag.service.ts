import { Inject, Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Admin, Kafka } from 'kafkajs';
import { EventlogConfig } from '@eventlog/config';
import { KAFKA } from '@eventlog/kafka';

const CACHE_MS = 1000;
const TIMEOUT_MS = 2000;

/**
 * Records on the ingest topics that the ingest group has not consumed yet: Σ (high watermark −
 * committed offset). Cached for a second, so a dashboard polling stats costs the broker little;
 * null when Kafka does not answer in time.
 */
@Injectable()
export class IngestLagService implements OnApplicationShutdown {
  private readonly logger = new Logger(IngestLagService.name);
  private admin?: Promise<Admin>;
  private cached?: { at: number; value: Promise<number | null> };

  constructor(
    @Inject(KAFKA) private readonly kafka: Kafka,
    private readonly config: EventlogConfig,
  ) {}

  records(): Promise<number | null> {
    if (!this.cached || Date.now() - this.cached.at > CACHE_MS) this.cached = { at: Date.now(), value: this.measure() };
    return this.cached.value;
  }

  private async measure(): Promise<number | null> {
    try {
      return await withTimeout(this.sum(), TIMEOUT_MS);
    } catch (err) {
      this.logger.warn(`ingest lag unavailable: ${(err as Error).message}`);
      this.admin = undefined;
      return null;
    }
  }

  private async sum(): Promise<number> {
    this.admin ??= (async () => {
      const admin = this.kafka.admin();
      await admin.connect();
      return admin;
    })();
    const admin = await this.admin;
    const topics = this.config.INGEST_TOPICS;
    const [ends, committed] = await Promise.all([
      Promise.all(topics.map((topic) => admin.fetchTopicOffsets(topic))),
      admin.fetchOffsets({ groupId: this.config.INGEST_GROUP_ID, topics }),
    ]);
    let lag = 0;
    topics.forEach((topic, i) => {
      const done = committed.find((c) => c.topic === topic)?.partitions ?? [];
      for (const p of ends[i]) {
        const at = Number(done.find((d) => d.partition === p.partition)?.offset ?? -1);
        lag += Math.max(0, Number(p.high) - (at >= 0 ? at : Number(p.low)));
      }
    });
    return lag;
  }

  async onApplicationShutdown() {
    await (await this.admin?.catch(() => undefined))?.disconnect();
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return Promise.race([promise, new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer in ${ms} ms`)), ms).unref())]);
}
