/** Bounds every query accepts; anything larger is a 400, so no request can ask for unbounded work. */
export const QUERY_LIMITS = {
  maxPageSize: 1000,
  defaultPageSize: 20,
  /** Deepest row an offset (or page × pageSize) may start at. */
  maxOffset: 10_000_000,
  maxCursorLength: 1024,
  maxTypes: 100,
  /** Events one trace reply carries; eventCount still says how many there are. */
  maxTraceEvents: 10_000,
  /** Parent → child hops followed from a node, in SQL and when building the tree. */
  maxTraceDepth: 100,
  maxStreamRead: 1000,
  defaultStreamRead: 100,
  dsl: {
    maxConditions: 50,
    maxInValues: 1000,
    maxPathDepth: 16,
    maxSelect: 50,
    maxGroupBy: 5,
    defaultLimit: 100,
    maxLimit: 1000,
    defaultGroupLimit: 1000,
    maxGroupLimit: 10_000,
    defaultCollect: 100,
    maxCollect: 1000,
    maxStringValue: 4096,
  },
  maxBatch: 1000,
  /** `after=` values one read may carry (one per partition written to is enough: the highest offset). */
  maxAfter: 100,
  /** Dead letters one bulk replay re-publishes. */
  maxBulkReplay: 1000,
  defaultBulkReplay: 100,
  defaultWaitMs: 5000,
  maxWaitMs: 30_000,
} as const;
