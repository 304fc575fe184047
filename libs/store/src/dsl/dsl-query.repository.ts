import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { DslGroup, DslQueryDto, DslReply, StoredEvent } from '@eventlog/contracts';
import { PG_POOL } from '../pg-pool.provider';
import { ResolvedField } from './dsl-fields';
import { compileDsl, ValueKind } from './dsl-sql';
import { EventRow, toStoredEvent } from '../read/event-row';
import { PreparedStatements } from '../prepared-statements';

/** Runs DSL queries (`POST /v1/query`): compiled by compileDsl, results shaped as contract 4 says. */
@Injectable()
export class DslQueryRepository {
  /** Planned once per connection where Postgres finds the generic plan as good (prepared-statements.ts). */
  private readonly prepared = new PreparedStatements('dsl', 48);

  constructor(@Inject(PG_POOL) private readonly pool: Pool) {}

  /** The query over `tenant`'s events: the caller's decided tenant, never the query's own `from.tenant`. */
  async run(tenant: string, query: DslQueryDto): Promise<DslReply> {
    const compiled = compileDsl(tenant, query);
    if (compiled.kind === 'groups') {
      const { rows } = await this.pool.query<Record<string, unknown>>(this.prepared.statement(compiled.sql, compiled.values));
      return {
        groups: rows.map((row) => {
          const group: DslGroup = { key: {}, value: toJson(row.value, compiled.value) };
          compiled.keys.forEach((k, i) => define(group.key, k.name, toJson(row[`g${i}`], k.kind)));
          if (compiled.bucket) group.bucket = (row.bucket as Date).toISOString();
          return group;
        }),
      };
    }
    const [page, total] = await Promise.all([
      this.pool.query<EventRow>(this.prepared.statement(compiled.sql, compiled.values)),
      compiled.countSql === null ? undefined : this.pool.query<{ n: string }>(this.prepared.statement(compiled.countSql, compiled.countValues)),
    ]);
    const events = page.rows.map(toStoredEvent);
    return {
      totalCount: total ? Number(total.rows[0].n) : null,
      count: events.length,
      events: compiled.select ? events.map((e) => project(e, compiled.select!)) : events,
    };
  }
}

function toJson(value: unknown, kind: ValueKind): unknown {
  if (value === null || value === undefined) return null;
  if (kind === 'int' || kind === 'numeric') return Number(value);
  if (kind === 'time') return (value as Date).toISOString();
  return value;
}

/** Own-property write, so a path key like "__proto__" stays a plain key. */
function define(target: Record<string, unknown>, key: string, value: unknown) {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** The selected fields of an event; JSON paths keep their nesting under data or metadata. */
function project(event: StoredEvent, fields: ResolvedField[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const field of fields) {
    if (!field.json) {
      define(out, field.name, event[field.name as keyof StoredEvent]);
      continue;
    }
    const { root, path } = field.json;
    let source: unknown = event[root];
    for (const key of path) {
      source = typeof source === 'object' && source !== null && Object.prototype.hasOwnProperty.call(source, key) ? (source as Record<string, unknown>)[key] : undefined;
    }
    if (source === undefined) continue;
    let target = (Object.prototype.hasOwnProperty.call(out, root) ? out[root] : undefined) as Record<string, unknown> | undefined;
    if (!target) define(out, root, (target = {}));
    for (const key of path.slice(0, -1)) {
      const next = Object.prototype.hasOwnProperty.call(target, key) ? target[key] : undefined;
      if (typeof next !== 'object' || next === null) define(target, key, {});
      target = target[key] as Record<string, unknown>;
    }
    define(target, path[path.length - 1], source);
  }
  return out;
}
