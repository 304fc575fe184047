import {
  DEFAULT_TENANT,
  DslConditionDto,
  DslInterval,
  DslQueryDto,
  DslReducer,
  isTimestamp,
  QUERY_LIMITS,
  InputProblem,
  InvalidQueryError,
  toInstant,
} from '@eventlog/contracts';
import { EVENT_FIELDS, lookupField, ResolvedField } from './dsl-fields';
import { EventFilter, eventFilterConditions } from '../read/event-filter';
import { EVENT_COLUMNS } from '../read/event-row';
import { escapeLike, SqlParams } from '../sql-params';
import { BUCKET_ORIGIN, planRollup, ROLLUP_GRAINS, rollupBranches, RollupPlan } from './dsl-rollup';

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
const INTERVAL_SECONDS: Record<DslInterval, number> = {
  '1m': 60,
  '5m': 300,
  '10m': 600,
  '15m': 900,
  '30m': 1800,
  '1h': 3600,
  '2h': 7200,
  '3h': 10800,
  '6h': 21600,
  '12h': 43200,
  '1d': 86400,
};
const COMPARISONS = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;

type Scalar = string | number | boolean | null;

/**
 * Turns a structurally valid DSL query into SQL over `events e`. Fields come from a fixed map, JSON
 * paths are bound as text[] parameters, every value is bound and checked against its field's kind;
 * every problem found is reported with its path (where[1].value) in one InvalidQueryError.
 */
export function compileDsl(query: DslQueryDto): CompiledDsl {
  return new DslCompiler().compile(query);
}

class DslCompiler {
  private readonly params = new SqlParams();
  private readonly problems: InputProblem[] = [];

  compile(query: DslQueryDto): CompiledDsl {
    const filter: EventFilter = {
      tenant: query.from?.tenant ?? DEFAULT_TENANT,
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

  private problem(field: string, message: string): undefined {
    this.problems.push({ field, message: `${field}: ${message}` });
    return undefined;
  }

  private field(name: string, at: string): ResolvedField | undefined {
    const found = lookupField(name);
    if (!found.ok) return this.problem(at, found.message);
    const { field } = found;
    if (field.json) {
      return { ...field, sql: `(e.${field.json.root} #> ${this.params.add(field.json.path, 'text[]')})` };
    }
    return { ...field, sql: EVENT_FIELDS[name].column };
  }

  // ── where ────────────────────────────────────────────────────────────────────────────────────

  private condition(c: DslConditionDto, at: string): string | undefined {
    const field = this.field(c.field, `${at}.field`);
    if (!field) return undefined;
    const v = `${at}.value`;
    if (c.operator === 'exists') {
      if (c.value !== undefined && typeof c.value !== 'boolean') return this.problem(v, 'exists takes true, false or no value');
      return `${field.sql} ${c.value === false ? 'IS NULL' : 'IS NOT NULL'}`;
    }
    if (c.value === undefined) return this.problem(v, `${c.operator} needs a value`);
    if (field.kind === 'object') return this.wholeObject(field, c, v);

    switch (c.operator) {
      case 'eq':
      case 'gt':
      case 'gte':
      case 'lt':
      case 'lte': {
        const value = this.scalar(field, c.value, v, c.operator === 'eq');
        if (value === undefined) return undefined;
        return this.compare(field, COMPARISONS[c.operator], value);
      }
      case 'neq': {
        const value = this.scalar(field, c.value, v, true);
        if (value === undefined) return undefined;
        // IS DISTINCT FROM: an event without the field (NULL) is "not equal" too.
        return `${field.sql} IS DISTINCT FROM ${this.bind(field, value)}`;
      }
      case 'contains':
        return this.contains(field, c.value, v);
      case 'in': {
        if (!Array.isArray(c.value) || c.value.length === 0) return this.problem(v, 'in takes a non-empty array');
        if (c.value.length > QUERY_LIMITS.dsl.maxInValues) {
          return this.problem(v, `in takes at most ${QUERY_LIMITS.dsl.maxInValues} values (got ${c.value.length})`);
        }
        const values: Scalar[] = [];
        for (let i = 0; i < c.value.length; i++) {
          const one = this.scalar(field, c.value[i], `${v}[${i}]`, false);
          if (one === undefined) return undefined;
          values.push(one);
        }
        if (field.kind === 'json') return `${field.sql} = ANY(${this.params.add(values.map((x) => JSON.stringify(x)), 'jsonb[]')})`;
        return `${field.sql} = ANY(${this.params.add(values, `${SQL_TYPES[field.kind]}[]`)})`;
      }
      case 'between': {
        if (!Array.isArray(c.value) || c.value.length !== 2) return this.problem(v, 'between takes [low, high]');
        const low = this.scalar(field, c.value[0], `${v}[0]`, false);
        const high = this.scalar(field, c.value[1], `${v}[1]`, false);
        if (low === undefined || high === undefined) return undefined;
        if (field.kind === 'json' && typeof low !== typeof high) return this.problem(v, 'low and high must be of one type');
        return `(${this.compare(field, '>=', low)} AND ${this.compare(field, '<=', high)})`;
      }
    }
    return this.problem(`${at}.operator`, 'unknown operator');
  }

  private compare(field: ResolvedField, op: string, value: Scalar): string {
    if (field.kind !== 'json' || op === '=') return `${field.sql} ${op} ${this.bind(field, value)}`;
    // jsonb orders values of different types by type; compare only numbers with numbers, strings with strings.
    return `(jsonb_typeof(${field.sql}) = ${this.params.add(typeof value)} AND ${field.sql} ${op} ${this.bind(field, value)})`;
  }

  private bind(field: ResolvedField, value: Scalar): string {
    return field.kind === 'json' ? this.params.add(JSON.stringify(value), 'jsonb') : this.params.add(value, SQL_TYPES[field.kind]);
  }

  /** Text: case-insensitive substring. A JSON value: substring of a string, or element of an array. */
  private contains(field: ResolvedField, value: unknown, at: string): string | undefined {
    if (field.kind === 'text') {
      const text = this.scalar(field, value, at, false);
      return text === undefined ? undefined : `${field.sql} ILIKE ${this.params.add(`%${escapeLike(text as string)}%`)} ESCAPE '\\'`;
    }
    if (field.kind !== 'json') return this.problem(at, `contains applies to text and data/metadata values, not to ${field.name}`);
    const element = this.scalar(field, value, at, false);
    if (element === undefined) return undefined;
    const inArray = `${field.sql} @> ${this.params.add(JSON.stringify(element), 'jsonb')}`;
    if (typeof element !== 'string') return `(jsonb_typeof(${field.sql}) = 'array' AND ${inArray})`;
    const substring = `(${field.sql} #>> '{}') ILIKE ${this.params.add(`%${escapeLike(element)}%`)} ESCAPE '\\'`;
    return `(CASE jsonb_typeof(${field.sql}) WHEN 'string' THEN ${substring} WHEN 'array' THEN ${inArray} ELSE false END)`;
  }

  /** `data` or `metadata` as a whole: only containment of an object (jsonb @>). */
  private wholeObject(field: ResolvedField, c: DslConditionDto, at: string): string | undefined {
    if (c.operator !== 'contains') return this.problem(at, `${field.name} as a whole takes contains or exists; use ${field.name}.<path> to compare a value`);
    if (typeof c.value !== 'object' || c.value === null || Array.isArray(c.value)) return this.problem(at, 'contains on an object takes an object');
    if (JSON.stringify(c.value).length > QUERY_LIMITS.dsl.maxStringValue) return this.problem(at, 'object is too large');
    if (JSON.stringify(c.value).includes('\\u0000')) return this.problem(at, 'must not contain the NUL character');
    return `${field.sql} @> ${this.params.add(JSON.stringify(c.value), 'jsonb')}`;
  }

  /**
   * A value checked against the field's kind: text → string, int → safe integer, time → RFC 3339 or
   * epoch ms (bound as RFC 3339), JSON → string, finite number or boolean (null only where allowed).
   */
  private scalar(field: ResolvedField, value: unknown, at: string, nullAllowed: boolean): Scalar | undefined {
    switch (field.kind) {
      case 'text':
        return this.text(value, at);
      case 'int':
        return Number.isSafeInteger(value) ? (value as number) : this.problem(at, `${field.name} takes an integer`);
      case 'time': {
        const instant = isTimestamp(value) ? toInstant(value as string | number) : undefined;
        return instant ?? this.problem(at, `${field.name} takes an RFC 3339 time or epoch milliseconds`);
      }
      case 'json':
        if (value === null && nullAllowed) return null;
        if (typeof value === 'boolean') return value;
        if (typeof value === 'number') return Number.isFinite(value) ? value : this.problem(at, 'must be a finite number');
        if (typeof value === 'string') return this.text(value, at);
        return this.problem(at, `must be a string, number or boolean${nullAllowed ? ' or null' : ''}, not ${describe(value)}`);
      default:
        return this.problem(at, `${field.name} cannot be compared; use ${field.name}.<path>`);
    }
  }

  private text(value: unknown, at: string): string | undefined {
    if (typeof value !== 'string') return this.problem(at, `must be a string, not ${describe(value)}`);
    if (value.length > QUERY_LIMITS.dsl.maxStringValue) return this.problem(at, `must be at most ${QUERY_LIMITS.dsl.maxStringValue} characters`);
    if (value.includes('\u0000')) return this.problem(at, 'must not contain the NUL character');
    return value;
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
    const grouping = groupCount ? `GROUP BY ${ordinals.join(', ')} ORDER BY ${orderOrdinals.join(', ')}` : '';
    const plan = this.problems.length ? undefined : this.rollupPlan(query);
    const sql = plan
      ? `SELECT ${[...Array.from({ length: keys.length }, (_, i) => `g${i}`), ...(reduce.interval ? ['bucket'] : []), 'COALESCE(sum(n), 0)::bigint AS value'].join(', ')}
           FROM (${this.rollupBranches(query, where, plan, interval).join(' UNION ALL ')}) counted
          ${grouping}`
      : `SELECT ${[...columns, `${aggregate?.sql ?? 'NULL'} AS value`].join(', ')}
           FROM events e WHERE ${where.join(' AND ')}
          ${grouping}`;
    const paged = `${sql} LIMIT ${this.params.add(limit, 'int')} OFFSET ${this.params.add(query.offset ?? 0, 'int')}`;
    return { kind: 'groups', sql: paged, values: this.params.values, keys, bucket: !!reduce.interval, value: aggregate?.kind ?? 'plain' };
  }

  // ── counts from the rollup ───────────────────────────────────────────────────────────────────

  /**
   * A count of events, grouped by nothing but type and a time bucket, over a window of the tenant
   * filtered on nothing but occurredAt and type, is a sum over event_counts (migration 005) for the
   * whole buckets inside the window plus a count of the events at its edges. Undefined when the
   * query has another shape or the window holds no whole bucket; it then reads the events.
   */
  private rollupPlan(query: DslQueryDto): RollupPlan | undefined {
    const reduce = query.reduce!;
    if (reduce.type !== 'count' || reduce.field !== undefined) return undefined;
    if (query.from?.stream !== undefined || query.from?.streamPrefix !== undefined) return undefined;
    if (!(reduce.groupBy ?? []).every((name) => name === 'type')) return undefined;
    let lower = -Infinity;
    let upper = Infinity;
    for (const c of query.where ?? []) {
      if (c.field === 'type' && (c.operator === 'eq' || c.operator === 'in')) continue;
      if (c.field !== 'occurredAt') return undefined;
      const ms = (v: unknown) => Date.parse(toInstant(v as string | number)!);
      switch (c.operator) {
        case 'eq':
          lower = Math.max(lower, ms(c.value));
          upper = Math.min(upper, ms(c.value));
          break;
        case 'gte':
          lower = Math.max(lower, ms(c.value));
          break;
        case 'gt':
          lower = Math.max(lower, ms(c.value) + 1);
          break;
        case 'lte':
        case 'lt':
          upper = Math.min(upper, ms(c.value));
          break;
        case 'between':
          lower = Math.max(lower, ms((c.value as unknown[])[0]));
          upper = Math.min(upper, ms((c.value as unknown[])[1]));
          break;
        default:
          return undefined;
      }
    }
    // Grains whose buckets nest in the asked interval's (all of them share date_bin's origin).
    const grains = ROLLUP_GRAINS.filter((g) => !reduce.interval || INTERVAL_SECONDS[reduce.interval] % g === 0);
    return planRollup(lower, upper, grains);
  }

  /** Rows (g0…, bucket, n) whose sum per group is the count: rollup buckets, then the window's edges. */
  private rollupBranches(query: DslQueryDto, where: string[], plan: RollupPlan, interval: string | undefined): string[] {
    const keyCount = (query.reduce!.groupBy ?? []).length;
    return rollupBranches(this.params, {
      tenant: query.from?.tenant ?? DEFAULT_TENANT,
      typeConditions: (query.where ?? [])
        .filter((c) => c.field === 'type')
        .map((c) => (column) => (c.operator === 'in' ? `${column} = ANY(${this.params.add(c.value, 'text[]')})` : `${column} = ${this.params.add(c.value)}`)),
      eventWhere: where,
      plan,
      columns: (time, type) => [
        ...Array.from({ length: keyCount }, (_, i) => `${type} AS g${i}`),
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

const SQL_TYPES = { text: 'text', int: 'bigint', time: 'timestamptz', json: 'jsonb', object: 'jsonb' } as const;
const VALUE_KINDS = { text: 'plain', int: 'int', time: 'time', json: 'plain', object: 'plain' } as const;

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
