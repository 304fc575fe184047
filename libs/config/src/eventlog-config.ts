import { plainToInstance, Transform } from 'class-transformer';
import { readFileSync } from 'node:fs';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  MinLength,
  validateSync,
  ValidateBy,
} from 'class-validator';
import { DURATION_FORMAT, parseDuration } from '@eventlog/contracts';
import { AccessGrant, parseAccessTokens } from './access-tokens';
import { parseStallAfterByType, STALL_AFTER_BOUNDS } from './stall-after-by-type';
import { parseRetention, RetentionByTenant } from './retention-by-tenant';

/** Widths a time partition of the log can have (events_ensure_partitions, migration 017). */
export const PARTITION_WIDTHS = ['day', 'week', 'month'] as const;
export type PartitionWidth = (typeof PARTITION_WIDTHS)[number];

const toInt = ({ value }: { value: unknown }) =>
  typeof value === 'string' && /^-?\d+$/.test(value.trim()) ? Number(value) : value;
const toBool = ({ value }: { value: unknown }) =>
  value === 'true' || value === '1' ? true : value === 'false' || value === '0' ? false : value;
const toList = ({ value }: { value: unknown }) =>
  typeof value === 'string'
    ? value
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean)
    : value;

const toDuration = ({ value }: { value: unknown }) => (typeof value === 'string' ? (parseDuration(value.trim()) ?? value) : value);

/** A duration parsed by toDuration, between the bounds of a stall timeout; one message either way. */
const IsStallTimeout = () =>
  ValidateBy({
    name: 'isStallTimeout',
    validator: {
      validate: (value) => typeof value === 'number' && value >= STALL_AFTER_BOUNDS.minMs && value <= STALL_AFTER_BOUNDS.maxMs,
      defaultMessage: (args) => (typeof args?.value === 'number' ? 'must be between 1s and 30d' : `must be ${DURATION_FORMAT}`),
    },
  });

const TOPIC = /^[A-Za-z0-9._-]{1,249}$/;

/** The environment of contract section 5, validated once; nothing else reads process.env. */
export class EventlogConfig {
  @Matches(/^postgres(ql)?:\/\/.+/, { message: 'must be a postgres:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/eventlog';

  @Transform(toList)
  @Matches(/^[^\s:,]+:\d{1,5}$/, { each: true, message: 'must be a comma list of host:port' })
  KAFKA_BROKERS: string[] = ['127.0.0.1:9092'];

  @Transform(toList)
  @Matches(TOPIC, { each: true, message: 'must be a comma list of Kafka topic names' })
  INGEST_TOPICS: string[] = ['eventlog.ingest'];

  @IsOptional()
  @IsString()
  INGEST_TOPIC_PATTERN?: string;

  @Matches(TOPIC, { message: 'must be a Kafka topic name' })
  INGEST_GROUP_ID = 'eventlog-ingest';

  /** Consumer group of the query app's request topics; every instance of one deployment shares it. */
  @Matches(TOPIC, { message: 'must be a Kafka group id of [A-Za-z0-9._-]' })
  QUERY_GROUP_ID = 'eventlog-query';

  /**
   * Prepended to the query request topics (contract names by default). Lets deployments that share
   * a Kafka cluster, such as parallel test runs, keep their request/reply traffic apart.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9._-]{1,100}$/, { message: 'must be 1-100 characters of [A-Za-z0-9._-]' })
  QUERY_TOPIC_PREFIX?: string;

  @Matches(TOPIC, { message: 'must be a Kafka topic name' })
  DLQ_TOPIC = 'eventlog.dlq';

  @Matches(TOPIC, { message: 'must be a Kafka topic name' })
  OUTBOUND_TOPIC = 'eventlog.events';

  /** Partitions given to topics this service creates when they are missing. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  TOPIC_PARTITIONS = 12;

  /**
   * Partitions given to the request topics the query app creates when they are missing: at most
   * this many query instances share a request topic's load. Every query instance's every fetch
   * names each request partition, so more partitions than instances cost latency (decision 045).
   */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(1000)
  QUERY_TOPIC_PARTITIONS = 2;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  QUERY_HTTP_PORT = 3000;

  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  INGEST_HTTP_PORT = 3001;

  /** Health and metrics of the relay when it runs as its own process (npm run start:relay). */
  @Transform(toInt)
  @IsInt()
  @Min(0)
  @Max(65535)
  RELAY_HTTP_PORT = 3002;

  /**
   * Whether the ingest app also runs the outbound relay. Off where the relay runs as its own
   * process, so that appends and relaying use different cores.
   */
  @Transform(toBool)
  @IsBoolean()
  INGEST_RUNS_RELAY = true;

  /**
   * Whether the ingest app also runs the stall detector (one instance at a time holds its lease).
   * Off where another process runs it, or to switch detection off.
   */
  @Transform(toBool)
  @IsBoolean()
  INGEST_RUNS_STALL_DETECTOR = true;

  /** How long a chain whose latest node is running or waiting may go without an event, in ms (written as a duration). */
  @Transform(toDuration)
  @IsStallTimeout()
  CHAIN_STALL_AFTER = 5 * 60_000;

  /** How long each tenant's events are kept, as `tenant=duration,…` (`*` for the others); parsed into retention. Unset: everything is kept. */
  @IsOptional()
  @IsString()
  RETENTION?: string;

  /**
   * The width of the log's time partitions created from now on: retention drops whole partitions,
   * so it is also retention's precision, and every read that cannot name its time range plans and
   * opens every partition, so fewer read faster (decision 046).
   */
  @IsIn(PARTITION_WIDTHS)
  PARTITION_INTERVAL: PartitionWidth = 'month';

  /** How often ingest runs the retention job (partitions ahead, expired partitions dropped), in ms (written as a duration). */
  @Transform(toDuration)
  @IsInt({ message: `must be ${DURATION_FORMAT}` })
  @Min(1000, { message: 'must be at least 1s' })
  RETENTION_INTERVAL = 3_600_000;

  /** Per-type CHAIN_STALL_AFTER, as `type=duration,…`; parsed into chainStallAfterByType. */
  @IsOptional()
  @IsString()
  CHAIN_STALL_AFTER_BY_TYPE?: string;

  @IsIn(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'])
  LOG_LEVEL = 'info';

  /** `pretty` (colours, one event per block) or `json` lines; unset: pretty on a terminal, else JSON. */
  @IsOptional()
  @IsIn(['json', 'pretty'])
  LOG_FORMAT?: 'json' | 'pretty';

  /** Largest serialized `data` accepted, in bytes (contract: 1 MiB by default). */
  @Transform(toInt)
  @IsInt()
  @Min(1024)
  MAX_EVENT_BYTES = 1024 * 1024;

  /**
   * max.message.bytes of every topic the apps create (ingest, dead-letter, outbound, request and
   * reply topics); by default room for a whole record of MAX_EVENT_BYTES (libs/kafka appTopics).
   */
  @IsOptional()
  @Transform(toInt)
  @IsInt()
  @Min(64 * 1024)
  TOPIC_MAX_MESSAGE_BYTES?: number;

  /** Postgres pool size per process. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(200)
  DATABASE_POOL_SIZE = 10;

  /** Live tail: a comment line this often keeps idle connections open through proxies. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  LIVE_HEARTBEAT_MS = 15000;

  /** Live tail: a client that has not read what it was sent for this long is dropped. */
  @Transform(toInt)
  @IsInt()
  @Min(100)
  LIVE_SLOW_CLIENT_MS = 10000;

  /** How long a read with after= or minPosition waits for ingest before answering 504. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  @Max(30000)
  READ_WAIT_MS = 5000;

  @Matches(/^[A-Za-z0-9._-]{1,100}$/, { message: 'must be a short client id' })
  KAFKA_CLIENT_ID = 'eventlog';

  @Transform(toBool)
  @IsBoolean()
  KAFKA_SSL = false;

  @IsOptional()
  @IsIn(['plain', 'scram-sha-256', 'scram-sha-512'])
  KAFKA_SASL_MECHANISM?: 'plain' | 'scram-sha-256' | 'scram-sha-512';

  @IsOptional()
  @IsString()
  @MinLength(1)
  KAFKA_SASL_USERNAME?: string;

  @IsOptional()
  @IsString()
  KAFKA_SASL_PASSWORD?: string;

  @IsOptional()
  @IsString()
  AUTH_TOKENS?: string;

  @IsOptional()
  @IsString()
  AUTH_TOKENS_FILE?: string;

  /** Requests a token may make per minute (HTTP); applies when access tokens are configured. */
  @Transform(toInt)
  @IsInt()
  @Min(1)
  RATE_LIMIT_PER_MINUTE = 60000;

  /** `development` serves GraphiQL at /graphiql; any other value (or none) does not. */
  @IsString()
  NODE_ENV = 'production';

  /** The parsed AUTH_TOKENS (or AUTH_TOKENS_FILE); empty when the API is open. */
  accessGrants: AccessGrant[] = [];

  /** The parsed CHAIN_STALL_AFTER_BY_TYPE: ms by the type of a chain's latest event. */
  chainStallAfterByType = new Map<string, number>();

  /** The parsed RETENTION. */
  retention: RetentionByTenant = { byTenant: new Map() };
}

/** The parsed forms kept beside the variables they come from: not variables themselves. */
const DERIVED = new Set(['accessGrants', 'chainStallAfterByType', 'retention']);

/** Fills config.accessGrants from AUTH_TOKENS or AUTH_TOKENS_FILE; returns the problems found. */
function loadAccessGrants(config: EventlogConfig): string[] {
  if (config.AUTH_TOKENS !== undefined && config.AUTH_TOKENS_FILE !== undefined) {
    return ['AUTH_TOKENS_FILE: set either AUTH_TOKENS or AUTH_TOKENS_FILE, not both'];
  }
  let json = config.AUTH_TOKENS;
  const variable = config.AUTH_TOKENS_FILE !== undefined ? 'AUTH_TOKENS_FILE' : 'AUTH_TOKENS';
  if (config.AUTH_TOKENS_FILE !== undefined) {
    try {
      json = readFileSync(config.AUTH_TOKENS_FILE, 'utf8');
    } catch (err) {
      return [`AUTH_TOKENS_FILE: cannot read ${config.AUTH_TOKENS_FILE} (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`];
    }
  }
  if (json === undefined) return [];
  const { grants, problems } = parseAccessTokens(json);
  config.accessGrants = grants;
  return problems.map((p) => `${variable}: ${p}`);
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

/**
 * Builds the configuration from an environment (process.env by default). Empty strings count as
 * unset. Throws ConfigError with one line per bad variable.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): EventlogConfig {
  const defined = Object.fromEntries(
    Object.keys(new EventlogConfig())
      .concat(['INGEST_TOPIC_PATTERN', 'QUERY_TOPIC_PREFIX', 'TOPIC_MAX_MESSAGE_BYTES', 'KAFKA_SASL_MECHANISM', 'KAFKA_SASL_USERNAME', 'KAFKA_SASL_PASSWORD', 'AUTH_TOKENS', 'AUTH_TOKENS_FILE', 'CHAIN_STALL_AFTER_BY_TYPE', 'RETENTION'])
      .filter((k) => !DERIVED.has(k))
      .filter((k) => env[k] !== undefined && env[k] !== '')
      .map((k) => [k, env[k]]),
  );
  const config = plainToInstance(EventlogConfig, defined);
  const problems = validateSync(config).map(
    (e) => `${e.property}: ${Object.values(e.constraints ?? {}).join('; ')} (got ${JSON.stringify(e.value)})`,
  );
  if (config.INGEST_TOPIC_PATTERN !== undefined) {
    try {
      new RegExp(config.INGEST_TOPIC_PATTERN);
    } catch (err) {
      problems.push(`INGEST_TOPIC_PATTERN: not a valid regular expression (${(err as Error).message})`);
    }
  }
  if (config.KAFKA_SASL_MECHANISM && (!config.KAFKA_SASL_USERNAME || config.KAFKA_SASL_PASSWORD === undefined)) {
    problems.push('KAFKA_SASL_MECHANISM: needs KAFKA_SASL_USERNAME and KAFKA_SASL_PASSWORD');
  }
  problems.push(...loadAccessGrants(config));
  if (config.CHAIN_STALL_AFTER_BY_TYPE !== undefined) {
    const { byType, problem } = parseStallAfterByType(config.CHAIN_STALL_AFTER_BY_TYPE);
    if (problem) problems.push(`CHAIN_STALL_AFTER_BY_TYPE: ${problem}`);
    else config.chainStallAfterByType = byType;
  }
  if (config.RETENTION !== undefined) {
    const { retention, problem } = parseRetention(config.RETENTION);
    if (problem) problems.push(`RETENTION: ${problem}`);
    else config.retention = retention;
  }
  if (problems.length) throw new ConfigError(problems);
  return config;
}
