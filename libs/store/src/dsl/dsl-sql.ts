import { DslInterval, DslQueryDto, DslReducer, InvalidQueryError, QUERY_LIMITS } from '@eventlog/contracts';
import { EventFilter, eventFilterConditions } from '../read/event-filter';
import { EVENT_COLUMNS } from '../read/event-row';
import { DslConditions } from './dsl-conditions';
import { lookupField, ResolvedField } from './dsl-fields';
import { BUCKET_ORIGIN, dslRollupPlan, isRollupKey, ROLLUP_KEYS, rollupBranches, RollupKey, RollupPlan } from './dsl-rollup';

/** How a result column converts back to JSON. */
export type ValueKind = 'int' | 'numeric' | 'time' | 'plain';

export type CompiledDsl =
  | {
      kind: 'events';
      sql: string;
      values: unknown[];
      /** null when includeTotal is false. */
      countSql: string | null;
      countValues: unknown[];
      /** Fields to keep in each event; null keeps whole events. */
      select: ResolvedField[] | null;
    }
  | {
      kind: 'groups';
      sql: string;
      values: unknown[];
      /** Group key columns g0, g1, … by their groupBy name. */
      keys: { name: string; kind: ValueKind }[];
      bucket: boolean;
      value: ValueKind;
    };

const INTERVALS: Record<DslInterval, string> = {
  '1m': '1 minute',
  '5m': '5 minutes',
  '10m': '10 minutes',
  '15m': '15 minutes',
  '30m': '30 minutes',
  '1h': '1 hour',
  '2h': '2 hours',
  '3h': '3 hours',
  '6h': '6 hours',
  '12h': '12 hours',
  '1d': '1 day',
};

/**
 * Turns a structurally valid DSL query into SQL over `events e`. Fields come from a fixed map, JSON
 * paths are bound as text[] parameters, every value is bound and checked against its field's kind;
 * every problem found is reported with its path (where[1].value) in one InvalidQueryError.
 */
export function compileDsl(tenant: string, query: DslQueryDto): CompiledDsl {
  return new DslCompiler().compile(tenant, query);
}

class DslCompiler extends DslConditions {
  /** The tenant decided for the request; the query's own from.tenant is never read. */
  private tenant = '';

  compile(tenant: string, query: DslQueryDto): CompiledDsl {
    this.tenant = tenant;
    const filter: EventFilter = {
      tenant,
      stream: query.from?.stream,
      streamPrefix: query.from?.streamPrefix,
    };
    const where = eventFilterConditions(filter, this.params);
    (query.where ?? []).forEach((c, i) => {
      const sql = this.condition(c, `where[${i}]`);
      if (sql) where.push(sql);
    });
    const result = query.reduce ? this.groups(query, where) : this.events(query, where);
    if (this.problems.length) throw new InvalidQueryError(this.problems);
    return result;
  }

  // ── events ───────────────────────────────────────────────────────────────────────────────────

  private events(query: DslQueryDto, where: string[]): CompiledDsl {
    const whereSql = where.join(' AND ');
    const countValues = [...this.params.values];
    // Selection happens on the fetched events, so it resolves names without adding SQL parameters.
    const select = query.select?.map((name, i) => {
      const found = lookupField(name);
      return found.ok ? { ...found.field, sql: '' } : this.problem(`select[${i}]`, found.message);
    });
    const limit = query.limit ?? QUERY_LIMITS.dsl.defaultLimit;
    if (limit > QUERY_LIMITS.dsl.maxLimit) this.problem('limit', `must not be greater than ${QUERY_LIMITS.dsl.maxLimit} without reduce`);
    const order = this.orderBy(query);
    const sql = `SELECT ${EVENT_COLUMNS} FROM events e WHERE ${whereSql} ORDER BY ${order}
                 LIMIT ${this.params.add(limit, 'int')} OFFSET ${this.params.add(query.offset ?? 0, 'int')}`;
    return {
      kind: 'events',
      sql,
      values: this.params.values,
      countSql: query.includeTotal === false ? null : `SELECT count(*) AS n FROM events e WHERE ${whereSql}`,
      countValues,
      select: select ? (select.filter(Boolean) as ResolvedField[]) : null,
    };
  }

  private orderBy(query: DslQueryDto): string {
    const dir = query.orderBy?.direction === 'asc' ? 'ASC' : 'DESC';
    const field = query.orderBy ? this.field(query.orderBy.field, 'orderBy.field') : undefined;
    if (field?.kind === 'object') this.problem('orderBy.field', `cannot order by ${field.name} as a whole; use ${field.name}.<path>`);
    if (!field || field.kind === 'object') return `e.occurred_at ${dir}, e.position ${dir}`;
    return `${field.sql} ${dir} NULLS LAST, e.position ${dir}`;
  }

  // ── reduce ───────────────────────────────────────────────────────────────────────────────────

  private groups(query: DslQueryDto, where: string[]): CompiledDsl {
    const reduce = query.reduce!;
    const columns: string[] = [];
    const keys: { name: string; kind: ValueKind }[] = [];
    (reduce.groupBy ?? []).forEach((name, i) => {
      const field = this.field(name, `reduce.groupBy[${i}]`);
      if (!field) return;
      if (field.kind === 'object') return this.problem(`reduce.groupBy[${i}]`, `cannot group by ${field.name} as a whole`);
      columns.push(`${field.sql} AS g${keys.length}`);
      keys.push({ name, kind: VALUE_KINDS[field.kind] });
    });
    const interval = reduce.interval ? this.params.add(INTERVALS[reduce.interval], 'interval') : undefined;
    if (interval) columns.push(`date_bin(${interval}, e.occurred_at, ${BUCKET_ORIGIN}) AS bucket`);
    const aggregate = this.aggregate(reduce.type, reduce.field, reduce.limit);
    const limit = query.limit ?? QUERY_LIMITS.dsl.defaultGroupLimit;
    for (const unused of ['select', 'orderBy'] as const) {
      if (query[unused] !== undefined) this.problem(unused, `${unused} does not apply with reduce`);
    }
    const groupCount = columns.length;
    const ordinals = Array.from({ length: groupCount }, (_, i) => String(i + 1));
    // Bucket first in time order, then the keys.
    const orderOrdinals = reduce.interval ? [String(groupCount), ...ordinals.slice(0, -1)] : ordinals;
    const grouping = (having = '') => (groupCount ? `GROUP BY ${ordinals.join(', ')} ${having}ORDER BY ${orderOrdinals.join(', ')}` : '');
    const plan = this.problems.length ? undefined : dslRollupPlan(query);
    // A group of the rollup whose buckets taken away cancel those added holds no event of the window.
    const sql = plan
      ? `SELECT ${[...Array.from({ length: keys.length }, (_, i) => `g${i}`), ...(reduce.interval ? ['bucket'] : []), 'COALESCE(sum(n), 0)::bigint AS value'].join(', ')}
           FROM (${this.rollupBranches(query, where, plan, interval).join(' UNION ALL ')}) counted
          ${grouping('HAVING sum(n) <> 0 ')}`
      : `SELECT ${[...columns, `${aggregate?.sql ?? 'NULL'} AS value`].join(', ')}
           FROM events e WHERE ${where.join(' AND ')}
          ${grouping()}`;
    const paged = `${sql} LIMIT ${this.params.add(limit, 'int')} OFFSET ${this.params.add(query.offset ?? 0, 'int')}`;
    return { kind: 'groups', sql: paged, values: this.params.values, keys, bucket: !!reduce.interval, value: aggregate?.kind ?? 'plain' };
  }

  /** Rows (g0…, bucket, n) whose sum per group is the count: rollup buckets, then the window's edges. */
  private rollupBranches(query: DslQueryDto, where: string[], plan: RollupPlan, interval: string | undefined): string[] {
    // dslRollupPlan let through only rollup keys, in groupBy and in where (besides occurredAt).
    const groupBy = (query.reduce!.groupBy ?? []) as RollupKey[];
    return rollupBranches(this.params, {
      tenant: this.tenant,
      keyConditions: (query.where ?? []).flatMap((c) => {
        if (!isRollupKey(c.field)) return [];
        const column = ROLLUP_KEYS[c.field];
        return [(alias: string) => (c.operator === 'in' ? `${alias}.${column} = ANY(${this.params.add(c.value, 'text[]')})` : `${alias}.${column} = ${this.params.add(c.value)}`)];
      }),
      eventWhere: where,
      plan,
      columns: (alias, time) => [
        ...groupBy.map((name, i) => `${alias}.${ROLLUP_KEYS[name]} AS g${i}`),
        ...(interval ? [`date_bin(${interval}, ${time}, ${BUCKET_ORIGIN}) AS bucket`] : []),
      ],
    });
  }

  private aggregate(type: DslReducer, name: string | undefined, collectLimit: number | undefined): { sql: string; kind: ValueKind } | undefined {
    if (type === 'count' && name === undefined) return { sql: 'count(*)', kind: 'int' };
    if (name === undefined) return this.problem('reduce.field', `${type} needs a field`);
    const field = this.field(name, 'reduce.field');
    if (!field) return undefined;
    if (field.kind === 'object') return this.problem('reduce.field', `cannot reduce ${field.name} as a whole; use ${field.name}.<path>`);
    // Inside data/metadata only numbers add up or compare; other JSON values are left out.
    const number = field.kind === 'json' ? `(CASE WHEN jsonb_typeof(${field.sql}) = 'number' THEN (${field.sql})::numeric END)` : field.sql;
    switch (type) {
      case 'count':
        return { sql: `count(${field.sql})`, kind: 'int' };
      case 'sum':
      case 'avg':
        if (field.kind === 'text' || field.kind === 'time') return this.problem('reduce.field', `${type} needs a number field, not ${field.name}`);
        return { sql: `${type}(${number})`, kind: 'numeric' };
      case 'min':
      case 'max':
        return { sql: `${type}(${number})`, kind: field.kind === 'json' ? 'numeric' : VALUE_KINDS[field.kind] };
      case 'collect': {
        const cap = this.params.add(collectLimit ?? QUERY_LIMITS.dsl.defaultCollect, 'int');
        const value = field.kind === 'time' ? `to_char(${field.sql} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')` : field.sql;
        return {
          sql: `to_jsonb((array_agg(DISTINCT ${value}) FILTER (WHERE ${field.sql} IS NOT NULL))[1:${cap}])`,
          kind: 'plain',
        };
      }
    }
  }
}

const VALUE_KINDS = { text: 'plain', int: 'int', time: 'time', json: 'plain', object: 'plain' } as const;
