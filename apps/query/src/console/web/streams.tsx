// Streams: a list with prefix search, and one stream read forward or backward by version.
import { useRef } from 'preact/hooks';
import { api, ApiEvent, qs, useLoad } from './api';
import { EventRows } from './log';
import { Empty, ErrorBox, fmtNum, fmtTime, Link, navigate, Spinner, streamHref, useRoute } from './ui';

interface StreamHead {
  stream: string;
  version: number;
  eventCount: number;
  firstOccurredAt: string;
  lastOccurredAt: string;
}

export function StreamsPage() {
  const { params } = useRoute();
  const prefix = params.get('prefix') ?? '';
  const cursor = params.get('cursor') ?? undefined;
  const input = useRef<HTMLInputElement>(null);
  const list = useLoad(
    (signal) => api<{ totalCount: number | null; count: number; streams: StreamHead[]; nextCursor: string | null }>(`/v1/streams${qs({ prefix, pageSize: 50, cursor })}`, { signal }),
    [prefix, cursor],
  );
  return (
    <section aria-labelledby="streams-title">
      <h1 id="streams-title">Streams</h1>
      <form
        class="filters"
        role="search"
        onSubmit={(e) => {
          e.preventDefault();
          const v = input.current!.value.trim();
          navigate(`/ui/streams${v ? `?prefix=${encodeURIComponent(v)}` : ''}`);
        }}
      >
        <label>
          <span>Name starts with</span>
          <input ref={input} name="prefix" value={prefix} placeholder="order-" autocomplete="off" key={prefix} />
        </label>
        <div class="filter-actions">
          <button class="primary" type="submit">Search</button>
        </div>
      </form>
      <div class="table-bar">
        <span>{list.data && `${fmtNum(list.data.totalCount)} streams`}</span>
        {list.loading && <Spinner />}
      </div>
      {list.error && <ErrorBox error={list.error} what="Streams" />}
      {list.data && list.data.count === 0 && <Empty>No stream {prefix ? <>starts with “{prefix}”; try a shorter prefix</> : 'yet: publish an event and its stream appears here'}.</Empty>}
      {list.data && list.data.count > 0 && (
        <div class="table-scroll">
          <table class="events">
            <thead>
              <tr>
                <th scope="col">Stream</th>
                <th scope="col">Version</th>
                <th scope="col">Events</th>
                <th scope="col" class="opt">First (UTC)</th>
                <th scope="col">Last (UTC)</th>
              </tr>
            </thead>
            <tbody>
              {list.data.streams.map((s) => (
                <tr>
                  <td class="stream"><Link href={streamHref(s.stream)}>{s.stream}</Link></td>
                  <td>{s.version}</td>
                  <td>{fmtNum(s.eventCount)}</td>
                  <td class="opt time">{fmtTime(s.firstOccurredAt)}</td>
                  <td class="time">{fmtTime(s.lastOccurredAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <nav class="pager" aria-label="Pages">
        <button type="button" disabled={!cursor} onClick={() => navigate(`/ui/streams${prefix ? `?prefix=${encodeURIComponent(prefix)}` : ''}`)}>« First</button>
        <button type="button" disabled={!list.data?.nextCursor} onClick={() => navigate(`/ui/streams?${new URLSearchParams({ ...(prefix ? { prefix } : {}), cursor: list.data!.nextCursor! })}`)}>Next ›</button>
      </nav>
    </section>
  );
}

export function StreamPage({ stream }: { stream: string }) {
  const { params } = useRoute();
  const direction = params.get('direction') === 'forward' ? 'forward' : params.get('direction') === 'backward' ? 'backward' : params.get('fromVersion') ? 'forward' : 'backward';
  const fromVersion = params.get('fromVersion') ?? undefined;
  const read = useLoad(
    (signal) =>
      api<StreamHead & { direction: string; count: number; events: ApiEvent[]; nextVersion: number | null }>(`/v1/streams/${encodeURIComponent(stream)}/events${qs({ fromVersion, direction, limit: 50 })}`, { signal }),
    [stream, fromVersion, direction],
  );
  const go = (dir: string, from?: number | null) => navigate(`${streamHref(stream)}?${new URLSearchParams({ direction: dir, ...(from ? { fromVersion: String(from) } : {}) })}`);
  const d = read.data;
  return (
    <section aria-labelledby="stream-title">
      <h1 id="stream-title">
        Stream <code>{stream}</code>
      </h1>
      {d && (
        <div class="trace-head">
          <span>version <strong>{d.version}</strong></span>
          <span>{fmtNum(d.eventCount)} events</span>
          <span class="muted">{fmtTime(d.firstOccurredAt)} → {fmtTime(d.lastOccurredAt)} UTC</span>
        </div>
      )}
      <div class="table-bar">
        <span>
          Reading {direction}
          {fromVersion ? ` from version ${fromVersion}` : direction === 'forward' ? ' from version 1' : ' from the head'}
        </span>
        {read.loading && <Spinner />}
        <span class="live-controls">
          <button type="button" onClick={() => go('forward', 1)}>Oldest</button>
          <button type="button" onClick={() => go('backward')}>Newest</button>
          <button type="button" disabled={!d || d.count === 0} onClick={() => go(direction === 'forward' ? 'backward' : 'forward', d?.events[0]?.version)}>
            Reverse
          </button>
          <button type="button" disabled={!d?.nextVersion} onClick={() => go(direction, d?.nextVersion)}>
            {direction === 'forward' ? 'Newer ›' : 'Older ›'}
          </button>
        </span>
      </div>
      {read.error && <ErrorBox error={read.error} what="Stream" />}
      {d && d.count === 0 && <Empty>No events at this version; read from the oldest or the newest.</Empty>}
      {d && d.count > 0 && <EventRows rows={d.events} showStream={false} />}
    </section>
  );
}
