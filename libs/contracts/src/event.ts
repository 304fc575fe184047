/** Kafka provenance of a stored event (contract section 1). */
export interface KafkaCoordinates {
  topic: string;
  partition: number;
  offset: number;
}

/** The fields an event has from its producer, before and after it is stored (contract section 1). */
export interface EventFields {
  id: string;
  tenant: string;
  stream: string;
  type: string;
  data: Record<string, unknown>;
  metadata: Record<string, unknown>;
  source: string | null;
  status: string | null;
  message: string | null;
  requestId: string | null;
  nodeId: string;
  parentNodeId: string | null;
  kafka: KafkaCoordinates | null;
}

/** An event as stored and returned by every read (contract section 1). */
export interface StoredEvent extends EventFields {
  version: number;
  position: number;
  occurredAt: string;
  recordedAt: string;
}

export type ExpectedVersion = number | 'any' | 'no_stream' | 'stream_exists';

/** A validated event ready to append: ingest has filled every default. */
export interface NewEvent extends EventFields {
  occurredAt: Date;
  expectedVersion: ExpectedVersion;
}

export const DEFAULT_TENANT = 'default';

/**
 * A request whose decided tenant is this reads every tenant, where a route says so (the dead
 * letters, which include records of no known tenant). decideTenant grants it only to a token
 * granting `*`, or on the open API (docs/decisions/032).
 */
export const EVERY_TENANT = '*';

/** Well-known statuses; any other short word is kept as given. */
export const KNOWN_STATUSES = ['pending', 'waiting', 'running', 'success', 'fail', 'aborted', 'normal', 'abnormal'] as const;
