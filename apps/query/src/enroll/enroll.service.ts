import { Injectable } from '@nestjs/common';
import { EnrollDto, StoredEvent } from '@eventlog/contracts';
import { EnrollRepository, EnrollSearch } from '@eventlog/store';
import { ApiError, errorBody } from '../errors/api-error';
import { claimEvent } from './claim-event';

/** Most claims one search and one append transaction serve. */
const MAX_ROUND = 100;
/** Races one request may lose before it is answered 503 (each lost race is another claimer's win). */
const MAX_LOST_RACES = 32;
/** Kinds of claim whose search start this process remembers (the oldest forgotten first). */
const MAX_REMEMBERED_STARTS = 1000;

interface Claimer {
  request: EnrollDto;
  lost: number;
  resolve: (claim: StoredEvent | null) => void;
  reject: (err: unknown) => void;
}

/** The claimers waiting for one kind of claim: same tenant, types, filter, retries and mode. */
interface ClaimQueue {
  key: string;
  tenant: string;
  search: EnrollSearch;
  targetType: string;
  sequential: boolean;
  waiting: Claimer[];
  running: boolean;
}

/**
 * Enroll: claims the oldest unhandled source event for a worker. Concurrent requests of one kind are
 * served in rounds: one search for as many candidates as there are claimers, one append of all their
 * claims. The rounds only spare work; exactly-once comes from the append (docs/decisions/028): a
 * claimer whose claim lost to another process's is put back for the next round.
 */
@Injectable()
export class EnrollService {
  private readonly queues = new Map<string, ClaimQueue>();
  /**
   * Per kind of claim, a position before which every source is settled: where the next search
   * starts, so that it does not walk every source ever claimed. Only a hint: a process that forgot
   * it starts at 0 and gets the same answer, later.
   */
  private readonly searchStarts = new Map<string, number>();

  constructor(private readonly enroll: EnrollRepository) {}

  /** The claim event, or null when there is nothing to claim. An invalid filter throws (400). */
  claim(tenant: string, request: EnrollDto): Promise<StoredEvent | null> {
    const query = { sourceType: request.sourceType, targetType: request.targetType, filter: request.filter, maxRetries: request.maxRetries ?? 0 };
    const sequential = request.sequential === true;
    const key = JSON.stringify([tenant, query, sequential]);
    let queue = this.queues.get(key);
    if (!queue) {
      queue = { key, tenant, search: this.enroll.compile(tenant, query), targetType: request.targetType, sequential, waiting: [], running: false };
      this.queues.set(key, queue);
    }
    const claimed = new Promise<StoredEvent | null>((resolve, reject) => queue.waiting.push({ request, lost: 0, resolve, reject }));
    this.drain(key, queue);
    return claimed;
  }

  private drain(key: string, queue: ClaimQueue) {
    if (queue.running) return;
    queue.running = true;
    void this.rounds(queue).finally(() => {
      queue.running = false;
      if (queue.waiting.length) this.drain(key, queue);
      else this.queues.delete(key);
    });
  }

  private async rounds(queue: ClaimQueue) {
    while (queue.waiting.length) {
      // Sequential claims one at a time: once one is persisted, the next finds it running.
      const round = queue.waiting.splice(0, queue.sequential ? 1 : MAX_ROUND);
      try {
        const lost = await this.round(queue, round);
        for (const claimer of lost) {
          if (++claimer.lost < MAX_LOST_RACES) queue.waiting.unshift(claimer);
          else claimer.reject(new ApiError(errorBody(503, `lost ${MAX_LOST_RACES} races for a claim in a row; try again`)));
        }
      } catch (err) {
        round.forEach((c) => c.reject(err));
      }
    }
  }

  private rememberStart(key: string, position: number) {
    const known = this.searchStarts.get(key) ?? 0;
    this.searchStarts.delete(key); // re-inserted last: the map forgets the least recently used first
    this.searchStarts.set(key, Math.max(known, position));
    if (this.searchStarts.size > MAX_REMEMBERED_STARTS) this.searchStarts.delete(this.searchStarts.keys().next().value!);
  }

  /** One search and one append for the round's claimers; returns those whose claim lost a race. */
  private async round(queue: ClaimQueue, round: Claimer[]): Promise<Claimer[]> {
    const after = this.searchStarts.get(queue.key) ?? 0;
    const { candidates: found, firstUnsettled: unsettled } = await this.enroll.search(queue.search, after, round.length);
    if (unsettled !== null) this.rememberStart(queue.key, unsettled - 1);
    round.slice(found.length).forEach((c) => c.resolve(null));
    const claimers = round.slice(0, found.length);
    if (claimers.length === 0) return [];
    const now = new Date();
    const claims = claimers.map((c, i) => claimEvent(queue.tenant, found[i], c.request, now));
    const outcomes = await this.enroll.appendClaims(claims, queue.sequential ? { tenant: queue.tenant, type: queue.targetType } : undefined);
    if (!outcomes) {
      claimers.forEach((c) => c.resolve(null));
      return [];
    }
    const lost = claimers.filter((_, i) => outcomes[i].kind !== 'persisted');
    const winners = claimers.filter((_, i) => outcomes[i].kind === 'persisted');
    const won = claims.filter((_, i) => outcomes[i].kind === 'persisted');
    // The stored claims are read while the next round searches: they are committed, so it cannot pick them again.
    void this.enroll.storedClaims(queue.tenant, won.map((c) => c.id)).then(
      (stored) => {
        const byId = new Map(stored.map((e) => [e.id, e]));
        winners.forEach((c, i) => {
          const claim = byId.get(won[i].id);
          if (claim) c.resolve(claim);
          else c.reject(new Error(`claim ${won[i].id} was appended but is not found`));
        });
      },
      (err: unknown) => winners.forEach((c) => c.reject(err)),
    );
    return lost;
  }
}
