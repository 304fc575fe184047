import { DslConditionDto, InputProblem, isTimestamp, QUERY_LIMITS, toInstant } from '@eventlog/contracts';
import { escapeLike, SqlParams } from '../sql-params';
import { EVENT_FIELDS, lookupField, ResolvedField } from './dsl-fields';

const COMPARISONS = { eq: '=', gt: '>', gte: '>=', lt: '<', lte: '<=' } as const;
const SQL_TYPES = { text: 'text', int: 'bigint', time: 'timestamptz', json: 'jsonb', object: 'jsonb' } as const;

type Scalar = string | number | boolean | null;

/**
 * The part of the DSL compiler that reads fields and `where` conditions: every field from the
 * fixed map, every value checked against its field's kind and bound as a parameter, every problem
 * kept with its path (where[1].value) for the one InvalidQueryError the compiler throws.
 */
export abstract class DslConditions {
  protected readonly params = new SqlParams();
  protected readonly problems: InputProblem[] = [];

  protected problem(field: string, message: string): undefined {
    this.problems.push({ field, message: `${field}: ${message}` });
    return undefined;
  }

  protected field(name: string, at: string): ResolvedField | undefined {
    const found = lookupField(name);
    if (!found.ok) return this.problem(at, found.message);
    const { field } = found;
    if (field.json) {
      return { ...field, sql: `(e.${field.json.root} #> ${this.params.add(field.json.path, 'text[]')})` };
    }
    return { ...field, sql: EVENT_FIELDS[name].column };
  }

  protected condition(c: DslConditionDto, at: string): string | undefined {
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
}

function describe(value: unknown): string {
  if (Array.isArray(value)) return 'an array';
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
