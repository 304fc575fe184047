// A NestJS service that installed @eventlog/client from its tarball (test/client-package.e2e-spec.ts
// copies this into a scratch app outside the repository). It calls every method over the transport
// named by TRANSPORT and prints what it got as one JSON line.
import 'reflect-metadata';
import { Injectable, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { EventLogClient, EventLogClientModule, EventLogClientOptions, EventLogError, StoredEvent } from '@eventlog/client';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

const options = (token: string | undefined, group: string): EventLogClientOptions => ({
  transport: env('TRANSPORT') as 'http' | 'kafka',
  token,
  tenant: env('TENANT'),
  timeoutMs: 15000,
  http: { baseUrl: env('BASE_URL') },
  kafka: {
    brokers: env('BROKERS').split(','),
    groupId: group,
    topicPrefix: env('TOPIC_PREFIX'),
    ingestTopic: env('INGEST_TOPIC'),
    deadLetterTopic: env('DLQ_TOPIC'),
  },
});

const failure = (err: unknown) => (err instanceof EventLogError ? { statusCode: err.statusCode, code: err.code ?? null } : { thrown: String(err) });

@Injectable()
class Calls {
  constructor(private readonly eventlog: EventLogClient) {}

  async run(stream: string) {
    const requestId = `req-${stream}`;
    const first: StoredEvent = await this.eventlog.publishAndWait({ stream, type: 'Created', requestId, nodeId: 'root', status: 'running', data: { n: 1 } });
    const published = await this.eventlog.publish({ stream, type: 'Updated', requestId, nodeId: 'child', parentNodeId: 'root', status: 'success', data: { n: 2 } });
    // Same stream, so same partition: once this one is stored, the one published before it is too.
    const last = await this.eventlog.publishAndWait({ stream, type: 'Closed', requestId, nodeId: 'root', status: 'success' }, { waitMs: 10000 });
    const rejected = await this.eventlog.publishAndWait({ stream, type: 'Late', expectedVersion: 1 }).then(() => null, failure);
    const reads = {
      first,
      published,
      last,
      rejected,
      events: await this.eventlog.events({ stream, sort: 'position', order: 'asc' }),
      event: await this.eventlog.event({ id: published.id }),
      stream: await this.eventlog.stream({ stream }),
      trace: await this.eventlog.trace({ requestId }),
      traceNode: await this.eventlog.traceNode({ requestId, nodeId: 'root' }),
      dsl: await this.eventlog.dsl({ from: { stream }, where: [{ field: 'type', operator: 'in', value: ['Created', 'Closed'] }], orderBy: { field: 'position', direction: 'asc' } }),
      stats: await this.eventlog.stats({ stream }),
    };

    // The calls below write: to streams of their own, so that the reads above stay comparable.
    const more = `${stream}-more`;
    // Read-your-writes: a record just produced, read back at once through `after`; a position through minPosition.
    const source = await this.eventlog.publishAndWait({ stream: more, type: 'Created', requestId: `req-${more}`, nodeId: 'root' });
    const written = await this.eventlog.publish({ stream: more, type: 'Noted' });
    const readAfter = await this.eventlog.events({ stream: more, sort: 'position', order: 'asc' }, { after: written });
    const readMinPosition = await this.eventlog.stream({ stream: more, limit: 0 }, { minPosition: source.position });

    // Enroll: the Created event of `more` is claimed once; nothing is left to claim after that.
    const enroll = { sourceType: 'Created', targetType: 'Job', sender: 'scratch', filter: [{ field: 'stream', operator: 'eq' as const, value: more }] };
    const enrolled = await this.eventlog.enroll(enroll);
    const enrolledAgain = await this.eventlog.enroll(enroll);

    const doomed = `${stream}-deleted`;
    await this.eventlog.publishAndWait({ stream: doomed, type: 'Doomed' });
    const deleted = await this.eventlog.deleteStream({ stream: doomed });
    const deletedRead = await this.eventlog.stream({ stream: doomed });

    const lateIds = [`late-a-${stream}`, `late-b-${stream}`];
    for (const id of lateIds) await this.eventlog.publishAndWait({ id, stream: more, type: 'Late', expectedVersion: 1 }).catch(() => undefined);
    return { ...reads, source, readAfter, readMinPosition, enrolled, enrolledAgain, deleted, deletedRead, ...(await this.deadLetters(more, lateIds)) };
  }

  /** The dead letters (HTTP only; the Kafka client reaches them through its http.baseUrl). */
  private async deadLetters(stream: string, lateIds: string[]) {
    // The rejection's row commits with ingest's batch: look until both are listed.
    const ours = async () => {
      const page = await this.eventlog.deadLetters({ code: 'WRONG_EXPECTED_VERSION', pageSize: 1000 });
      return lateIds.map((id) => page.deadLetters.find((l) => l.value?.includes(`"${id}"`)));
    };
    let found = await ours();
    for (let i = 0; i < 100 && found.some((l) => !l); i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
      found = await ours();
    }
    const [a, b] = found.map((l) => l!);
    const replayed = await this.eventlog.replayDeadLetter({ id: a.id, value: { id: lateIds[0], stream, type: 'Late' } });
    const replayedAll = await this.eventlog.replayDeadLetters({ code: 'WRONG_EXPECTED_VERSION', from: b.receivedAt, limit: 1000 });
    return { letterIds: [a.id, b.id], replayed, replayedAll };
  }
}

@Module({ imports: [EventLogClientModule.forRoot(options(env('TOKEN'), env('GROUP')))], providers: [Calls] })
class AppModule {}

async function main() {
  const app = await NestFactory.createApplicationContext(AppModule, { logger: ['error', 'warn'] });
  const result = await app.get(Calls).run(env('STREAM'));
  await app.close();
  // The same call without the token: the API must refuse it.
  const anonymous = new EventLogClient(options(undefined, `${env('GROUP')}.anonymous`));
  await anonymous.connect();
  const withoutToken = await anonymous.events({ stream: env('STREAM') }).then(() => null, failure);
  const deleteWithoutToken = await anonymous.deleteStream({ stream: env('STREAM') }).then(() => null, failure);
  await anonymous.close();
  process.stdout.write(`${JSON.stringify({ ...result, withoutToken, deleteWithoutToken })}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
