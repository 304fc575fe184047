/** Values of the dead-letter header x-error-code (contract 2.3). */
export enum RejectionCode {
  InvalidJson = 'INVALID_JSON',
  ValidationFailed = 'VALIDATION_FAILED',
  TooLarge = 'TOO_LARGE',
  WrongExpectedVersion = 'WRONG_EXPECTED_VERSION',
  /** The stream was deleted with hard=true: it takes no event after its StreamDeleted (decision 041). */
  StreamDeleted = 'STREAM_DELETED',
}

export interface Rejection {
  code: RejectionCode;
  message: string;
}

/** Headers added to every dead-letter record (contract 2.3). */
export const DLQ_HEADERS = {
  code: 'x-error-code',
  message: 'x-error-message',
  topic: 'x-source-topic',
  partition: 'x-source-partition',
  offset: 'x-source-offset',
} as const;

/**
 * Header of a dead letter re-published by `POST /v1/dead-letters/{id}/replay`: `topic:partition:offset`
 * of the record first rejected. A replayed record without an id takes the id derived from these
 * coordinates, so replaying it again is a duplicate (docs/decisions/032).
 */
export const REPLAY_OF_HEADER = 'eventlog-replay-of';

/** Headers of every outbound record (contract 3). */
export const OUTBOUND_HEADERS = {
  position: 'eventlog-position',
  version: 'eventlog-version',
  type: 'eventlog-type',
  tenant: 'eventlog-tenant',
} as const;
