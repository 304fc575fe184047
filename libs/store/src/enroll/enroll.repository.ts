import { Inject, Injectable } from '@nestjs/common';
import { Pool } from 'pg';
import { NewEvent } from '@eventlog/contracts';
import { PG_POOL } from '../pg-pool.provider';
import { AppendOutcome } from '../write/append-plan';
import { EventStoreRepository } from '../write/event-store.repository';
import { compileEnrollSearch, EnrollSearch, EnrollSearchQuery, RUNNING_TARGET_SQL } from './enroll-sql';

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
  constructor(
    @Inject(PG_POOL) private readonly pool: Pool,
    private readonly store: EventStoreRepository,
  ) {}

  /** Compiles the search once per kind of request; an invalid filter throws InvalidQueryError. */
  compile(tenant: string, query: EnrollSearchQuery): EnrollSearch {
    return compileEnrollSearch(tenant, query);
  }

  /** The oldest claimable sources after position `after`, at most `limit`. */
  async candidates(search: EnrollSearch, after: number, limit: number): Promise<EnrollCandidate[]> {
    const { rows } = await this.pool.query<{
      id: string;
      stream: string;
      version: string;
      position: string;
      request_id: string | null;
      node_id: string;
      claim_stream: string;
      head_version: string | null;
      claims: number;
    }>(search.candidatesSql, [...search.values.slice(0, -2), after, limit]);
    return rows.map((r) => ({
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
  }

  /**
   * The position of the oldest source after `after` that is not settled, or null. Every source
   * before it is settled for good, and a source committed later has a higher position (positions
   * commit in order, docs/decisions/002): the next search may start there.
   */
  async firstUnsettled(search: EnrollSearch, after: number): Promise<number | null> {
    const { rows } = await this.pool.query<{ position: string }>(search.firstUnsettledSql, [...search.values.slice(0, -2), after]);
    return rows.length ? Number(rows[0].position) : null;
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
