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
    return {
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
  await anonymous.close();
  process.stdout.write(`${JSON.stringify({ ...result, withoutToken })}\n`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
