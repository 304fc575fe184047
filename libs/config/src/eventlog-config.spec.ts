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

describe('stall detection settings', () => {
  it('defaults to 5 minutes, no overrides, the detector inside ingest', () => {
    expect(loadConfig({})).toMatchObject({ CHAIN_STALL_AFTER: 300_000, chainStallAfterByType: new Map(), INGEST_RUNS_STALL_DETECTOR: true });
  });

  it('reads CHAIN_STALL_AFTER as a duration and CHAIN_STALL_AFTER_BY_TYPE as type=duration pairs', () => {
    const c = loadConfig({ CHAIN_STALL_AFTER: '2s', CHAIN_STALL_AFTER_BY_TYPE: 'Deploy=30m, a=b=1h30m ,Build=10s', INGEST_RUNS_STALL_DETECTOR: 'false' });
    expect(c.CHAIN_STALL_AFTER).toBe(2000);
    expect(c.chainStallAfterByType).toEqual(new Map([['Deploy', 1_800_000], ['a=b', 5_400_000], ['Build', 10_000]]));
    expect(loadConfig({ CHAIN_STALL_AFTER_BY_TYPE: '__proto__=1m,constructor=2m' }).chainStallAfterByType).toEqual(new Map([['__proto__', 60_000], ['constructor', 120_000]]));
    expect(c.INGEST_RUNS_STALL_DETECTOR).toBe(false);
  });

  it.each([
    ['CHAIN_STALL_AFTER', '300', /CHAIN_STALL_AFTER: must be a duration such as/],
    ['CHAIN_STALL_AFTER', '500ms', /CHAIN_STALL_AFTER: must be between 1s and 30d/],
    ['CHAIN_STALL_AFTER', '31d', /CHAIN_STALL_AFTER: must be between 1s and 30d/],
    ['CHAIN_STALL_AFTER_BY_TYPE', 'Deploy', /CHAIN_STALL_AFTER_BY_TYPE: "Deploy" is not type=duration/],
    ['CHAIN_STALL_AFTER_BY_TYPE', '=5m', /CHAIN_STALL_AFTER_BY_TYPE: "=5m" is not type=duration/],
    ['CHAIN_STALL_AFTER_BY_TYPE', 'Deploy=soon', /CHAIN_STALL_AFTER_BY_TYPE: "soon" for Deploy is not a duration/],
    ['CHAIN_STALL_AFTER_BY_TYPE', 'Deploy=0s', /CHAIN_STALL_AFTER_BY_TYPE: 0s for Deploy must be between 1s and 30d/],
    ['CHAIN_STALL_AFTER_BY_TYPE', 'A=1m,A=2m', /CHAIN_STALL_AFTER_BY_TYPE: A is given twice/],
  ])('%s=%s is refused in one line naming it', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
    try {
      loadConfig({ [name]: value });
    } catch (err) {
      expect((err as ConfigError).problems).toHaveLength(1);
    }
  });
});

describe('retention settings', () => {
  it('keeps everything by default and runs the job hourly', () => {
    expect(loadConfig({})).toMatchObject({ retention: { byTenant: new Map() }, RETENTION_INTERVAL: 3_600_000 });
    expect(loadConfig({}).retention.otherMs).toBeUndefined();
  });

  it('reads RETENTION as tenant=duration pairs, * for the other tenants', () => {
    const c = loadConfig({ RETENTION: 'acme=90d, *=365d ,b=1d12h', RETENTION_INTERVAL: '10m' });
    expect(c.retention).toEqual({ byTenant: new Map([['acme', 90 * 86_400_000], ['b', 36 * 3_600_000]]), otherMs: 365 * 86_400_000 });
    expect(c.RETENTION_INTERVAL).toBe(600_000);
  });

  it.each([
    ['RETENTION', 'acme', /RETENTION: "acme" is not tenant=duration/],
    ['RETENTION', 'acme=soon', /RETENTION: "soon" for acme is not a duration/],
    ['RETENTION', 'acme=12h', /RETENTION: 12h for acme is less than 1d/],
    ['RETENTION', '*=2d,*=3d', /RETENTION: \* is given twice/],
    ['RETENTION_INTERVAL', '500ms', /RETENTION_INTERVAL: must be at least 1s/],
  ])('refuses %s=%s', (name, value, message) => {
    expect(() => loadConfig({ [name]: value })).toThrow(message);
  });
});
