/** The channel ingest notifies when it has recorded durable offsets (ingest_offsets); private to the store. */
export const INGESTED_CHANNEL = 'eventlog_ingested';
