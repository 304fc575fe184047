import { Partitioners } from 'kafkajs';
import { EventlogConfig } from '@eventlog/config';
import { kafkaClientConfig, kafkajsLogSink } from '@eventlog/kafka';
import { ExactJsonKafkaDeserializer } from '../validation/request-parsers';
import { QueryKafkaServer } from './query-kafka.server';
import { requestTopics } from './query-topics';

/** The Kafka request/reply transport: the request topics' consumer group and the reply producer. */
export function queryKafkaTransport(config: EventlogConfig): QueryKafkaServer {
  return new QueryKafkaServer(
    {
      client: kafkaClientConfig(config, `${config.KAFKA_CLIENT_ID}-query-server`, kafkajsLogSink()),
      // Without this Nest appends "-server" to the group and client id; the group is the configured one.
      postfixId: '',
      consumer: {
        groupId: config.QUERY_GROUP_ID,
        sessionTimeout: 30000,
        rebalanceTimeout: 60000,
        heartbeatInterval: 3000,
        // How long the broker holds a fetch that finds no request. A request arriving meanwhile
        // ends the wait at once (minBytes 1), so this bounds only the fetches of an idle app, each
        // a request and a response naming every request partition (docs/decisions/037).
        maxWaitTimeInMs: 500,
        minBytes: 1,
        allowAutoTopicCreation: false,
      },
      // A new group starts at the end: requests sent before this instance existed are not answered.
      subscribe: { fromBeginning: false },
      // The batches of one fetch are answered side by side, as are the requests within a batch
      // (QueryKafkaServer); topics made before QUERY_TOPIC_PARTITIONS existed have TOPIC_PARTITIONS.
      // Offsets are committed by QueryKafkaServer, once a second, not after every batch.
      run: { partitionsConsumedConcurrently: requestTopics(config).length * Math.max(config.QUERY_TOPIC_PARTITIONS, config.TOPIC_PARTITIONS), autoCommit: false },
      producer: { allowAutoTopicCreation: false, createPartitioner: Partitioners.DefaultPartitioner },
      // Request values reach the deserializer as bytes, which parses them exactly or refuses them.
      parser: { keepBinary: true },
      deserializer: new ExactJsonKafkaDeserializer(),
    },
    config.QUERY_TOPIC_PREFIX ?? '',
  );
}
