/** The channel every append notifies at commit (payload: the last position); private to the store. */
export const APPENDED_CHANNEL = 'eventlog_appended';

/**
 * The channel of fire-and-forget notifications (POST /v1/notify): every query instance listens, so
 * one NOTIFY reaches the live subscribers of all of them; nothing is stored (docs/decisions/029).
 */
export const BROADCAST_CHANNEL = 'eventlog_broadcast';

/** Postgres refuses a NOTIFY payload of 8000 bytes or more; broadcasts stay below it. */
export const MAX_BROADCAST_BYTES = 7999;
