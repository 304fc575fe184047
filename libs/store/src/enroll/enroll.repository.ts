import { Injectable } from '@nestjs/common';
import { NewEvent } from '@eventlog/contracts';
import { GenericPlanReader } from '../generic-plan';
import { PreparedStatements } from '../prepared-statements';
import { AppendOutcome } from '../write/append-plan';
import { EventStoreRepository } from '../write/event-store.repository';
import { compileEnrollSearch, EnrollSearch, EnrollSearchQuery, RUNNING_TARGET_SQL } from './enroll-sql';

/** Search texts (kinds of filter) this process prepares on its connections; more are planned per call. */
const MAX_PREPARED_SEARCHES = 100;

/** A source event that can be claimed, with the state of its claim stream. */
export interface EnrollCandidate {
  id: string;
  stream: string;
  version: number;
  position: number;
  requestId: string | null;
  nodeId: string;
  claimStream: string;
  /** The claim stream's version; null when it does not exist yet. */
  headVersion: number | null;
  /** Claims appended to it so far. */
  claims: number;
}

/**
 * Enroll's reads and its append. The search runs without any lock; the claim is an ordinary append
 * (the store's append lock, planAppend's expectedVersion and duplicate checks), so of several
 * claimers of one source exactly one is persisted and the others learn it from their outcome.
 */
@Injectable()
export class EnrollRepository {
  /** Planning the search cost Postgres more than running it: prepared, and run with its generic plan. */
  private readonly searches = new PreparedStatements('enroll_search', MAX_PREPARED_SEARCHES);

  constructor(
    private readonly genericPlans: GenericPlanReader,
    private readonly store: EventStoreRepository,
  ) {}

  /** Compiles the search once per kind of request; an invalid filter throws InvalidQueryError. */
  compile(tenant: string, query: EnrollSearchQuery): EnrollSearch {
    return compileEnrollSearch(tenant, query);
  }

  /**
   * The oldest claimable sources after position `after`, at most `limit`, and the position of the
   * oldest source after `after` that is not settled (null if none). Every source before that one is
   * settled for good, and a source committed later has a higher position (positions commit in
   * order, docs/decisions/002): the next search may start there.
   */
  async search(search: EnrollSearch, after: number, limit: number): Promise<{ candidates: EnrollCandidate[]; firstUnsettled: number | null }> {
    const { rows } = await this.genericPlans.query<{
      claimable: boolean;
      id: string;
      stream: string;
      version: string;
      position: string;
      request_id: string | null;
      node_id: string;
      claim_stream: string;
      head_version: string | null;
      claims: number;
    }>(this.searches.statement(search.sql, [...search.values.slice(0, -2), after, limit]));
    const unsettled = rows.find((r) => !r.claimable);
    const candidates = rows
      .filter((r) => r.claimable)
      .map((r) => ({
        id: r.id,
        stream: r.stream,
        version: Number(r.version),
        position: Number(r.position),
        requestId: r.request_id,
        nodeId: r.node_id,
        claimStream: r.claim_stream,
        headVersion: r.head_version === null ? null : Number(r.head_version),
        claims: r.claims,
      }));
    return { candidates, firstUnsettled: unsettled ? Number(unsettled.position) : null };
  }

  /**
   * Appends claims in one transaction. With `sequentialType`, first checks under the append lock
   * that no event of that type is running in the tenant, and writes nothing (null) if one is.
   */
  appendClaims(claims: NewEvent[], sequentialType?: { tenant: string; type: string }): Promise<AppendOutcome[] | null> {
    if (!sequentialType) return this.store.appendBatch(claims);
    return this.store.appendBatch(claims, [], [], async (client) => {
      const { rows } = await client.query<{ running: boolean }>(RUNNING_TARGET_SQL, [sequentialType.tenant, sequentialType.type]);
      return !rows[0].running;
    });
  }
}
