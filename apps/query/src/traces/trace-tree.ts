import { QUERY_LIMITS, StoredEvent, Trace, TraceNode, TraceStatus } from '@eventlog/contracts';

const RUNNING = new Set(['pending', 'waiting', 'running']);

/**
 * Contract 4: `fail` if any node's latest event failed, else `running` while any node's latest is
 * pending, waiting or running, else `success` (any other status, or none, counts as finished).
 */
export function traceStatus(latestStatuses: (string | null)[]): TraceStatus {
  if (latestStatuses.includes('fail')) return 'fail';
  return latestStatuses.some((s) => s !== null && RUNNING.has(s)) ? 'running' : 'success';
}

/**
 * Groups events (in occurredAt order) into nodes and links each node under its parent: a node's
 * parent is the first parentNodeId its events name; its status is its latest event's. A node whose
 * parent is not among the events (or would be deeper than maxDepth, or closes a cycle) becomes a
 * root, keeping its parentNodeId. Iterative, so deep chains cannot overflow the stack.
 */
export function buildNodes(events: StoredEvent[], maxDepth: number = QUERY_LIMITS.maxTraceDepth): TraceNode[] {
  const nodes = new Map<string, TraceNode>();
  for (const event of events) {
    let node = nodes.get(event.nodeId);
    if (!node) {
      node = { nodeId: event.nodeId, parentNodeId: null, status: null, startedAt: event.occurredAt, endedAt: event.occurredAt, events: [], children: [] };
      nodes.set(event.nodeId, node);
    }
    node.events.push(event);
    node.parentNodeId ??= event.parentNodeId;
    node.status = event.status;
    node.endedAt = event.occurredAt;
  }

  const childrenOf = new Map<string, TraceNode[]>();
  for (const node of nodes.values()) {
    const parent = node.parentNodeId;
    if (parent === null || parent === node.nodeId || !nodes.has(parent)) continue;
    childrenOf.set(parent, [...(childrenOf.get(parent) ?? []), node]);
  }

  const roots: TraceNode[] = [];
  const placed = new Set<string>();
  const place = (root: TraceNode) => {
    roots.push(root);
    placed.add(root.nodeId);
    const queue: { node: TraceNode; depth: number }[] = [{ node: root, depth: 0 }];
    while (queue.length) {
      const { node, depth } = queue.shift()!;
      for (const child of childrenOf.get(node.nodeId) ?? []) {
        if (placed.has(child.nodeId)) continue;
        if (depth + 1 > maxDepth) continue; // placed later as a root of its own
        placed.add(child.nodeId);
        node.children.push(child);
        queue.push({ node: child, depth: depth + 1 });
      }
    }
  };
  const isRoot = (n: TraceNode) => n.parentNodeId === null || n.parentNodeId === n.nodeId || !nodes.has(n.parentNodeId);
  for (const node of nodes.values()) if (isRoot(node)) place(node);
  // Whatever is left sits in a cycle or below the depth bound: start from its earliest node.
  for (const node of nodes.values()) if (!placed.has(node.nodeId)) place(node);
  return roots;
}

/** The trace reply: events in time order, the node tree, the derived status and time span. */
export function buildTrace(requestId: string, events: StoredEvent[], eventCount: number): Trace {
  const nodes = buildNodes(events);
  const latest: (string | null)[] = [];
  const visit = [...nodes];
  while (visit.length) {
    const node = visit.pop()!;
    latest.push(node.status);
    visit.push(...node.children);
  }
  const startedAt = events[0].occurredAt;
  const endedAt = events.reduce((max, e) => (e.occurredAt > max ? e.occurredAt : max), startedAt);
  return {
    requestId,
    status: traceStatus(latest),
    startedAt,
    endedAt,
    durationMs: Date.parse(endedAt) - Date.parse(startedAt),
    eventCount,
    truncated: eventCount > events.length,
    events,
    nodes,
  };
}
