// A service's subscriber, as installed from the tarball (test/client-package.e2e-spec.ts runs it as
// a child process and kills it). CHECKPOINT=postgres: the handler records each event in the caller's
// database through the batch's transaction, so record and checkpoint commit together.
// CHECKPOINT=file: the caller's functions keep the checkpoint in a JSON file; the handler appends a line.
import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { CheckpointOption, EventHandler, EventLogClient } from '@eventlog/client';

const env = (name: string): string => {
  const value = process.env[name];
  if (value === undefined) throw new Error(`${name} is not set`);
  return value;
};

async function main() {
  const client = new EventLogClient({
    transport: 'http',
    token: env('TOKEN'),
    http: { baseUrl: env('BASE_URL') },
    kafka: { brokers: env('BROKERS').split(','), outboundTopic: env('OUTBOUND_TOPIC') },
  });
  await client.connect();
  const delayMs = Number(process.env.HANDLER_DELAY_MS ?? 0);
  let checkpoint: CheckpointOption;
  let handler: EventHandler;
  if (env('CHECKPOINT') === 'postgres') {
    checkpoint = { postgres: { connectionString: env('CALLER_DATABASE_URL') }, table: 'pkg_checkpoints' };
    handler = async (event, { partition, position, tx }) => {
      await tx!.query('INSERT INTO handled (position, partition, stream, version, id) VALUES ($1, $2, $3, $4, $5)', [position, partition, event.stream, event.version, event.id]);
      if (delayMs) await new Promise((resolve) => setTimeout(resolve, delayMs));
    };
  } else {
    const file = env('CHECKPOINT_FILE');
    const saved = (): Record<string, number> => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : {});
    checkpoint = {
      load: (partition) => saved()[partition],
      save: (partition, position) => writeFileSync(file, JSON.stringify({ ...saved(), [partition]: position })),
    };
    handler = (event, { partition, position }) => appendFileSync(env('HANDLED_FILE'), `${JSON.stringify({ position, partition, stream: event.stream, version: event.version })}\n`);
  }
  await client.subscribe(handler, { subscription: env('SUBSCRIPTION'), checkpoint, tenant: env('TENANT') });
  process.stdout.write('subscribed\n');
  process.once('SIGTERM', () => void client.close().then(() => process.exit(0)));
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
