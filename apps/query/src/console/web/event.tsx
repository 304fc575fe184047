// One event: every field, folded JSON, its Kafka provenance, links to its stream and trace.
import { api, ApiEvent, qs, useLoad } from './api';
import { Badge, ErrorBox, fmtTime, Json, Link, Spinner, streamHref, traceHref } from './ui';

export function EventPage({ id }: { id: string }) {
  const ev = useLoad((signal) => api<ApiEvent>(`/v1/events/${encodeURIComponent(id)}${qs({})}`, { signal }), [id]);
  const e = ev.data;
  return (
    <section aria-labelledby="event-title">
      <h1 id="event-title">
        Event <code>{id}</code>
      </h1>
      {ev.loading && <Spinner />}
      {ev.error && <ErrorBox error={ev.error} what="Event" />}
      {e && (
        <div class="detail">
          <div class="links">
            <Link href={streamHref(e.stream, e.version)}>Stream {e.stream} at version {e.version}</Link>
            {e.requestId && <Link href={traceHref(e.requestId, e.nodeId)}>Trace {e.requestId}</Link>}
          </div>
          <dl class="fields">
            <dt>id</dt><dd><code>{e.id}</code></dd>
            <dt>tenant</dt><dd>{e.tenant}</dd>
            <dt>stream</dt><dd><Link href={streamHref(e.stream)}>{e.stream}</Link></dd>
            <dt>version</dt><dd>{e.version}</dd>
            <dt>position</dt><dd>{e.position}</dd>
            <dt>type</dt><dd>{e.type}</dd>
            <dt>status</dt><dd><Badge status={e.status} /></dd>
            <dt>source</dt><dd>{e.source ?? '—'}</dd>
            <dt>message</dt><dd class="message">{e.message ?? '—'}</dd>
            <dt>request id</dt><dd>{e.requestId ? <Link href={traceHref(e.requestId)}>{e.requestId}</Link> : '—'}</dd>
            <dt>node id</dt><dd>{e.nodeId ?? '—'}</dd>
            <dt>parent node id</dt><dd>{e.parentNodeId ?? '—'}</dd>
            <dt>occurred at</dt><dd class="time">{fmtTime(e.occurredAt)} UTC</dd>
            <dt>recorded at</dt><dd class="time">{fmtTime(e.recordedAt)} UTC</dd>
            <dt>Kafka provenance</dt>
            <dd data-testid="kafka">{e.kafka ? <>topic <code>{e.kafka.topic}</code>, partition {e.kafka.partition}, offset {String(e.kafka.offset)}</> : 'not from Kafka'}</dd>
          </dl>
          <h2>data</h2>
          <div class="json" data-testid="event-data"><Json value={e.data} /></div>
          <h2>metadata</h2>
          <div class="json"><Json value={e.metadata} /></div>
        </div>
      )}
    </section>
  );
}
