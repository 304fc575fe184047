import { AppProcess } from './app-process';
import { TestDatabase } from './database';
import { uniqueSuffix } from './env';
import { appEnv } from './ingest-env';
import { testTopics, TestKafka } from './kafka';
import { waitFor } from './wait-for';

export interface HttpReply<T = any> {
  status: number;
  body: T;
}

/**
 * One test file's query stack: its own database and topics, a real ingest process feeding it and a
 * real query process reading it. Its query app serves request topics under a prefix of its own, so
 * query apps of other files (other databases) never answer this file's requests.
 */
export class QueryFixture {
  readonly kafka = new TestKafka();
  readonly topicPrefix: string;
  readonly groupId: string;
  db: TestDatabase;
  ingest: AppProcess;
  query: AppProcess;

  private constructor(
    readonly label: string,
    readonly topics: ReturnType<typeof testTopics>,
  ) {
    this.topicPrefix = `${topics.group}.`;
    this.groupId = `${topics.group}.query.${uniqueSuffix()}`;
  }

  static async start(label: string, queryEnv: Record<string, string> = {}, ingestEnv: Record<string, string> = {}): Promise<QueryFixture> {
    const fixture = new QueryFixture(label, testTopics(label));
    fixture.db = await TestDatabase.create(label);
    await fixture.kafka.connect();
    await fixture.kafka.createTopics([
      { topic: fixture.topics.ingest, partitions: 6 },
      { topic: fixture.topics.dlq, partitions: 1 },
    ]);
    // One after the other: two processes creating topics at once can trip kafkajs's leader wait.
    fixture.ingest = await AppProcess.start('ingest', `${label}-ingest`, appEnv(fixture.db, fixture.topics, ingestEnv));
    fixture.query = await AppProcess.start('query', `${label}-query`, fixture.queryEnv(queryEnv));
    return fixture;
  }

  queryEnv(extra: Record<string, string> = {}): Record<string, string> {
    return appEnv(this.db, this.topics, { QUERY_GROUP_ID: this.groupId, QUERY_TOPIC_PREFIX: this.topicPrefix, ...extra });
  }

  /** Produces envelopes to the ingest topic, keyed by stream, as any producer would. */
  async produce(events: Record<string, unknown>[]): Promise<void> {
    for (let i = 0; i < events.length; i += 500) {
      await this.kafka.produce(
        this.topics.ingest,
        events.slice(i, i + 500).map((e) => ({ key: String(e.stream), value: JSON.stringify(e) })),
      );
    }
  }

  /** Waits until the log holds `count` events. */
  async waitForEvents(count: number, timeoutMs = 60000): Promise<void> {
    await waitFor(() => this.db.count(), (n) => n >= count, { timeoutMs, what: `${count} events in ${this.db.name}` });
  }

  async get<T = any>(path: string): Promise<HttpReply<T>> {
    const res = await fetch(`${this.query.url}${path}`);
    return { status: res.status, body: (await res.json()) as T };
  }

  async post<T = any>(path: string, body: unknown): Promise<HttpReply<T>> {
    const res = await fetch(`${this.query.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, body: (await res.json()) as T };
  }

  async stop(): Promise<void> {
    await Promise.all([this.query?.stop(), this.ingest?.stop()]);
    await this.kafka.disconnect();
    await this.db?.drop();
  }
}
