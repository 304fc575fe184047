import { parentPort } from 'node:worker_threads';
import { loadConfig } from '../../../../libs/config/src';
import { createKafka } from '../../../../libs/kafka/src';
import { RelayCommand, RelayReport } from './relay-messages';
import { RelayLoop } from './relay-loop';

/*
 * The relay's thread (decision 009): reading events back and producing them to Kafka runs beside the
 * consumer's event loop, not on it. The configuration is the process's own (workers share its
 * environment); everything observable goes back to the main thread as messages.
 */
const port = parentPort!;
const report = (message: RelayReport) => port.postMessage(message);

async function main() {
  const config = loadConfig();
  const kafka = createKafka(config, `${config.KAFKA_CLIENT_ID}-relay`, (level, message) => {
    if (level === 'error' || level === 'warn') report({ kind: 'log', level, message: `kafka: ${message}` });
  });
  const loop = new RelayLoop(kafka, config, {
    active: (holding) => report({ kind: 'active', holding }),
    published: (count) => report({ kind: 'published', count }),
    lag: (events, oldestSeconds) => report({ kind: 'lag', events, oldestSeconds }),
    log: (level, message) => report({ kind: 'log', level, message }),
  });
  port.on('message', (command: RelayCommand) => {
    if (command.kind !== 'stop') return;
    // Closing the port ends the thread once the loop has let go of the lease and the producer.
    void loop.stop().finally(() => port.close());
  });
  await loop.start();
}

main().catch((err) => {
  report({ kind: 'log', level: 'error', message: `relay failed to start: ${(err as Error).message}` });
  process.exit(1);
});
