export type { EventLogClientOptions, KafkaOptions } from './client-options';
export * from './eventlog-client';
export * from './eventlog-client.module';
export { EventLogError } from './eventlog-error';
export * from './requests';
export type { CheckpointFunctions, CheckpointOption, PgClient, PgPool, PostgresCheckpoint } from './subscription/checkpoint';
export type { EventHandler, SubscribeOptions, Subscription, SubscriptionContext } from './subscription/outbound-subscription';
export type { DslReply, EventPage, PublishResult, Stats, StoredEvent, StreamRead, Trace, TraceNode } from '@eventlog/contracts';
