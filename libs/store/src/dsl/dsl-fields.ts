import { QUERY_LIMITS } from '@eventlog/contracts';

/** How a field's values compare and aggregate. `json` is a value inside data or metadata. */
export type FieldKind = 'text' | 'int' | 'time' | 'json' | 'object';

export interface ResolvedField {
  /** As the caller wrote it. */
  name: string;
  kind: FieldKind;
  /** The SQL expression, made only of fixed column names and a bound path parameter. */
  sql: string;
  /** For data/metadata values: the root object and the path inside it. */
  json?: { root: 'data' | 'metadata'; path: string[] };
}

/** Top-level event fields by API name → column. The only identifiers a DSL query can reach. */
export const EVENT_FIELDS: Readonly<Record<string, { column: string; kind: FieldKind }>> = {
  id: { column: 'e.id', kind: 'text' },
  tenant: { column: 'e.tenant', kind: 'text' },
  stream: { column: 'e.stream', kind: 'text' },
  version: { column: 'e.version', kind: 'int' },
  position: { column: 'e.position', kind: 'int' },
  type: { column: 'e.type', kind: 'text' },
  source: { column: 'e.source', kind: 'text' },
  status: { column: 'e.status', kind: 'text' },
  message: { column: 'e.message', kind: 'text' },
  requestId: { column: 'e.request_id', kind: 'text' },
  nodeId: { column: 'e.node_id', kind: 'text' },
  parentNodeId: { column: 'e.parent_node_id', kind: 'text' },
  occurredAt: { column: 'e.occurred_at', kind: 'time' },
  recordedAt: { column: 'e.recorded_at', kind: 'time' },
  data: { column: 'e.data', kind: 'object' },
  metadata: { column: 'e.metadata', kind: 'object' },
};

/** `payload.` is an alias of `data.` (contract 4). */
const JSON_ROOTS: Readonly<Record<string, 'data' | 'metadata'>> = { data: 'data', payload: 'data', metadata: 'metadata' };
const PATH_SEGMENT = /^[A-Za-z0-9_-]{1,100}$/;

export type FieldLookup = { ok: true; field: Omit<ResolvedField, 'sql'> } | { ok: false; message: string };

/**
 * What a field name means, or why it means nothing. The JSON path is only split and checked here;
 * the compiler binds it as a text[] parameter.
 */
export function lookupField(name: string): FieldLookup {
  const top = Object.prototype.hasOwnProperty.call(EVENT_FIELDS, name) ? EVENT_FIELDS[name] : undefined;
  if (top) return { ok: true, field: { name, kind: top.kind } };
  const dot = name.indexOf('.');
  const prefix = dot > 0 ? name.slice(0, dot) : '';
  const root = Object.prototype.hasOwnProperty.call(JSON_ROOTS, prefix) ? JSON_ROOTS[prefix] : undefined;
  if (!root) {
    return {
      ok: false,
      message: `unknown field "${name.slice(0, 100)}"; use one of ${Object.keys(EVENT_FIELDS).join(', ')} or data.<path>, metadata.<path>, payload.<path>`,
    };
  }
  const path = name.slice(dot + 1).split('.');
  if (path.length > QUERY_LIMITS.dsl.maxPathDepth) {
    return { ok: false, message: `path of "${name.slice(0, 100)}" is deeper than ${QUERY_LIMITS.dsl.maxPathDepth} keys` };
  }
  const bad = path.find((s) => !PATH_SEGMENT.test(s));
  if (bad !== undefined) {
    return { ok: false, message: `path key "${bad.slice(0, 100)}" must be 1-100 characters of [A-Za-z0-9_-]` };
  }
  return { ok: true, field: { name, kind: 'json', json: { root, path } } };
}
