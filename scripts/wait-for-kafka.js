// Exits 0 once the broker answers a metadata request (describeCluster), 1 otherwise.
const { Kafka, logLevel } = require('kafkajs');

const brokers = (process.argv[2] || process.env.KAFKA_BROKERS || '127.0.0.1:9092').split(',');
const admin = new Kafka({ brokers, logLevel: logLevel.NOTHING, connectionTimeout: 1000, retry: { retries: 0 } }).admin();

admin
  .connect()
  .then(() => admin.describeCluster())
  .then(
    (c) => admin.disconnect().then(() => (console.log(`brokers: ${c.brokers.length}`), process.exit(0))),
    () => process.exit(1),
  );
