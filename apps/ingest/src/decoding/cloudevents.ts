import { IHeaders } from 'kafkajs';
import { headerText } from './kafka-record';

/** CloudEvents context attributes that map to envelope fields (contract 2.2). */
const CORE = new Set(['specversion', 'id', 'source', 'type', 'subject', 'time', 'data', 'data_base64', 'datacontenttype', 'dataschema']);
/** Extensions carrying eventlog fields by name; every other extension goes to metadata. */
const FIELD_EXTENSIONS: Record<string, string> = {
  tenant: 'tenant',
  status: 'status',
  message: 'message',
  requestid: 'requestId',
  nodeid: 'nodeId',
  parentnodeid: 'parentNodeId',
  expectedversion: 'expectedVersion',
};

export interface TraceContext {
  traceId: string;
  parentId: string;
}

/** W3C traceparent `00-<32 hex trace-id>-<16 hex parent-id>-<flags>`; undefined when malformed. */
export function parseTraceparent(value: unknown): TraceContext | undefined {
  if (typeof value !== 'string') return undefined;
  const m = /^[0-9a-f]{2}-([0-9a-f]{32})-([0-9a-f]{16})-[0-9a-f]{2}$/.exec(value.trim().toLowerCase());
  return m ? { traceId: m[1], parentId: m[2] } : undefined;
}

export function isStructuredCloudEvent(body: Record<string, unknown>, contentType: string | undefined): boolean {
  return 'specversion' in body || /^application\/cloudevents\+json/i.test(contentType ?? '');
}

/**
 * Maps a CloudEvents 1.0 event (structured body, or attributes rebuilt from binary-mode headers) to
 * the envelope's fields. The result is validated like any envelope afterwards.
 */
export function mapCloudEvent(ce: Record<string, unknown>): Record<string, unknown> {
  const envelope: Record<string, unknown> = {};
  const metadata: Record<string, unknown> = {};
  if ('id' in ce) envelope.id = ce.id;
  if ('source' in ce) envelope.source = ce.source;
  if ('type' in ce) envelope.type = ce.type;
  if ('subject' in ce) envelope.stream = ce.subject;
  if ('time' in ce) envelope.occurredAt = ce.time;
  if ('data' in ce) envelope.data = ce.data;
  if ('data_base64' in ce) envelope.data = { base64: ce.data_base64 };
  for (const attr of ['specversion', 'datacontenttype', 'dataschema']) {
    if (attr in ce) metadata[attr] = ce[attr];
  }
  for (const [name, value] of Object.entries(ce)) {
    if (CORE.has(name)) continue;
    if (name in FIELD_EXTENSIONS) envelope[FIELD_EXTENSIONS[name]] = value;
    else if (name === 'traceparent') {
      const trace = parseTraceparent(value);
      metadata.traceparent = value;
      if (trace) {
        envelope.requestId ??= trace.traceId;
        envelope.nodeId ??= trace.parentId;
      }
    } else metadata[name] = value;
  }
  if (Object.keys(metadata).length) envelope.metadata = metadata;
  return envelope;
}

/** Rebuilds a binary-mode event's attributes from its `ce_*` headers; undefined when not binary mode. */
export function binaryModeAttributes(headers: IHeaders | undefined): Record<string, unknown> | undefined {
  if (!headers || headerText(headers, 'ce_specversion') === undefined) return undefined;
  const attributes: Record<string, unknown> = {};
  for (const name of Object.keys(headers)) {
    if (name.startsWith('ce_')) attributes[name.slice(3)] = headerText(headers, name);
  }
  const contentType = headerText(headers, 'content-type');
  if (contentType) attributes.datacontenttype = contentType;
  const expected = attributes.expectedversion;
  // Header values are text; an integer expectedVersion arrives as digits.
  if (typeof expected === 'string' && /^\d+$/.test(expected)) attributes.expectedversion = Number(expected);
  return attributes;
}
