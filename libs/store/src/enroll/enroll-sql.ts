import { DslConditionDto, InvalidQueryError } from '@eventlog/contracts';
import { DslConditions } from '../dsl/dsl-conditions';
import { visibleEvent } from '../read/visible-events';

/** What the claim search needs from a request; the tenant is the decided one, never a request field. */
export interface EnrollSearchQuery {
  sourceType: string;
  targetType: string;
  filter?: DslConditionDto[];
  maxRetries: number;
}

/**
 * The compiled claim search: one statement, two walks of the source events after a position (`after`,
 * then `limit`, are the last two parameters). Rows with `claimable` true are the oldest claimable
 * sources, at most `limit`; the one row with `claimable` false, if any, is the oldest source not
 * settled. One statement rather than two: one round trip and one plan per round, and the text is
 * the same for every round of a kind of claim, so it can be a prepared statement.
 */
export interface EnrollSearch {
  sql: string;
  values: unknown[];
}

/**
 * The claim stream of a source node for a target type, in SQL: the one definition of its name.
 * A node (request, node id) rather than an event id, because a dependent belongs to the node it
 * names as its parent; nodeId defaults to the event id, so usually this is one stream per source
 * event. Hashed so that any ids and types give a valid stream name of fixed length.
 */
const claimStream = (targetType: string) =>
  `'enroll:' || encode(sha256(convert_to(jsonb_build_array(${targetType}::text, e.request_id, e.node_id)::text, 'UTF8')), 'hex')`;

/**
 * Walks the tenant's events of `sourceType` matching the filter, oldest (lowest position) first,
 * each with the state of its claim stream: its head version, the head's status and how many claims
 * (events whose id is `<stream>:<attempt>`) it holds. Every value is bound; the filter is compiled
 * by the DSL's own condition compiler. The lateral join is evaluated per source, as index probes.
 *
 * - claimable: no claim stream yet, or its latest event failed and fewer than 1 + maxRetries claims.
 * - settled (never claimable again under these rules): claimed as often as allowed, or its latest
 *   event says success or aborted. A job's outcome is final.
 */
class EnrollSearchCompiler extends DslConditions {
  compile(tenant: string, query: EnrollSearchQuery): EnrollSearch {
    const p = this.params;
    const tenantParam = p.add(tenant);
    const typeParam = p.add(query.sourceType);
    const where = [`e.tenant = ${tenantParam}`, `e.type = ${typeParam}`];
    const target = p.add(query.targetType);
    (query.filter ?? []).forEach((c, i) => {
      const sql = this.condition(c, `filter[${i}]`);
      if (sql) where.push(sql);
    });
    if (this.problems.length) throw new InvalidQueryError(this.problems);
    const maxClaims = p.add(query.maxRetries + 1, 'int');
    // As a row comparison on the (tenant, type, position) index's columns, and ordered by them: the
    // prepared statement's generic plan, which knows no values, then walks that index, where
    // `e.position > $n` made it walk the whole log from the position on (events_pkey).
    where.push(`(e.tenant, e.type, e.position) > (${tenantParam}, ${typeParam}, ${p.add(0, 'bigint')})`);
    // A deleted stream's events are no sources: they are gone from every read (decision 041).
    where.push(visibleEvent('e'));
    const walk = `
        FROM events e
        CROSS JOIN LATERAL (
          SELECT c.stream, h.version AS head_version, l.status AS head_status,
                 CASE WHEN h.version IS NULL THEN 0 ELSE
                   (SELECT count(*) FROM events a WHERE a.tenant = e.tenant AND a.stream = c.stream AND starts_with(a.id, c.stream || ':'))
                 END::int AS claims
            FROM (SELECT ${claimStream(target)} AS stream) c
            LEFT JOIN streams h ON h.tenant = e.tenant AND h.stream = c.stream
            LEFT JOIN events l ON l.tenant = e.tenant AND l.stream = c.stream AND l.version = h.version
        ) j
       WHERE ${where.join(' AND ')}`;
    const limit = p.add(0, 'int');
    const columns = `e.id, e.stream, e.version, e.position, e.request_id, e.node_id, j.stream AS claim_stream, j.head_version, j.claims`;
    const sql = `
      (SELECT true AS claimable, ${columns}
      ${walk}
         AND (j.head_version IS NULL OR (j.head_status = 'fail' AND j.claims < ${maxClaims}))
       ORDER BY e.tenant, e.type, e.position
       LIMIT ${limit})
      UNION ALL
      (SELECT false, ${columns}
      ${walk}
         AND (j.head_version IS NULL
              OR (j.claims < ${maxClaims} AND j.head_status IS DISTINCT FROM 'success' AND j.head_status IS DISTINCT FROM 'aborted'))
       ORDER BY e.tenant, e.type, e.position
       LIMIT 1)`;
    return { sql, values: p.values };
  }
}

export function compileEnrollSearch(tenant: string, query: EnrollSearchQuery): EnrollSearch {
  return new EnrollSearchCompiler().compile(tenant, query);
}

/**
 * Whether a `targetType` event of the tenant is still running: the latest event of its stream
 * (a claim stream's head) says `running`. Asked under the append lock for sequential claims.
 */
export const RUNNING_TARGET_SQL = `
  SELECT EXISTS (
    SELECT 1 FROM events c
      JOIN streams h ON h.tenant = c.tenant AND h.stream = c.stream AND h.version = c.version
     WHERE c.tenant = $1 AND c.type = $2 AND c.status = 'running') AS running`;

