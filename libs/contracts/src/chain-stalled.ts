/** Type of the event the stall detector appends under a chain's idle node (contract 4b). */
export const CHAIN_STALLED_TYPE = 'eventlog.ChainStalled';

/** Statuses of a node that has not finished: a chain whose latest event has one is open. */
export const OPEN_STATUSES = ['pending', 'waiting', 'running'] as const;

/** Statuses the stall detector watches: a `pending` node has not started, so it cannot stall. */
export const STALLABLE_STATUSES = ['running', 'waiting'] as const;
