import { ConfigError, loadConfig } from './eventlog-config';

describe('loadConfig', () => {
  it('gives the contract defaults for an empty environment', () => {
    expect(loadConfig({})).toMatchObject({
      DATABASE_URL: 'postgres://postgres@127.0.0.1:5432/eventlog',
      KAFKA_BROKERS: ['127.0.0.1:9092'],
      INGEST_TOPICS: ['eventlog.ingest'],
      DLQ_TOPIC: 'eventlog.dlq',
      OUTBOUND_TOPIC: 'eventlog.events',
      QUERY_HTTP_PORT: 3000,
      INGEST_HTTP_PORT: 3001,
      MAX_EVENT_BYTES: 1048576,
    });
  });

  it('parses lists, numbers and booleans, and treats empty strings as unset', () => {
    const c = loadConfig({ KAFKA_BROKERS: 'a:1, b:2', INGEST_TOPICS: 'x,y', INGEST_HTTP_PORT: '4001', KAFKA_SSL: 'true', DLQ_TOPIC: '' });
    expect(c.KAFKA_BROKERS).toEqual(['a:1', 'b:2']);
    expect(c.INGEST_TOPICS).toEqual(['x', 'y']);
    expect(c.INGEST_HTTP_PORT).toBe(4001);
    expect(c.KAFKA_SSL).toBe(true);
    expect(c.DLQ_TOPIC).toBe('eventlog.dlq');
  });

  it('names every bad variable, one line each', () => {
    try {
      loadConfig({ DATABASE_URL: 'mysql://x', KAFKA_BROKERS: 'nohost', QUERY_HTTP_PORT: '99999', INGEST_TOPIC_PATTERN: '[', KAFKA_SASL_MECHANISM: 'plain' });
      throw new Error('accepted');
    } catch (err) {
      expect(err).toBeInstanceOf(ConfigError);
      const problems = (err as ConfigError).problems;
      expect(problems.map((p) => p.split(':')[0]).sort()).toEqual(['DATABASE_URL', 'INGEST_TOPIC_PATTERN', 'KAFKA_BROKERS', 'KAFKA_SASL_MECHANISM', 'QUERY_HTTP_PORT']);
      expect(problems.find((p) => p.startsWith('KAFKA_BROKERS'))).toMatch(/host:port.*"nohost"/);
    }
  });
});
