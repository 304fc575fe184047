import { Injectable } from '@nestjs/common';
import { EnrollDto, StoredEvent } from '@eventlog/contracts';
import { EnrollCandidate, EnrollRepository, EnrollSearch } from '@eventlog/store';
import { ApiError, errorBody } from '../errors/api-error';
import { claimEvent, storedClaim } from './claim-event';

/** Most claims one search and one append transaction serve. */
const MAX_ROUND = 100;
/** Races one request may lose before it is answered 503 (each lost race is another claimer's win). */
const MAX_LOST_RACES = 32;
/** Kinds of claim whose search start this process remembers (the oldest forgotten first). */
const MAX_REMEMBERED_STARTS = 1000;
/**
 * Longest wait, after a round, for the claimers it answered to come back before the next round
 * starts without them (group commit, as Postgres's commit_delay): workers that loop claim again
 * within a millisecond or two, and one round for all of them costs about what a round for half does.
 */
const GATHER_MS = 5;

/** What a round's search found: the candidates, and whether there were no more than those. */
interface Found {
  candidates: EnrollCandidate[];
  exhausted: boolean;
}

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
  /** Called when a claimer joins; set while a gather waits for claimers. */
  joined?: () => void;
}

/**
 * Enroll: claims the oldest unhandled source event for a worker. Concurrent requests of one kind are
 * served in rounds: one search for as many candidates as there are claimers, one append of all their
 * claims, whose answer is the stored claims. The rounds only spare work; exactly-once comes from the
 * append (docs/decisions/028): a claimer whose claim lost to another process's is put back for the
 * next round.
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
    queue.joined?.();
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
    let next: Promise<Found> | undefined;
    while (queue.waiting.length) {
      // Sequential claims one at a time: once one is persisted, the next finds it running.
      const round = queue.waiting.splice(0, queue.sequential ? 1 : MAX_ROUND);
      let answered = round.length;
      try {
        const found = next ? await next : await this.search(queue, round.length);
        const { lost, unserved } = await this.round(queue, round, found);
        answered -= lost.length + unserved.length;
        queue.waiting.unshift(...unserved);
        for (const claimer of lost) {
          if (++claimer.lost < MAX_LOST_RACES) queue.waiting.unshift(claimer);
          else claimer.reject(new ApiError(errorBody(503, `lost ${MAX_LOST_RACES} races for a claim in a row; try again`)));
        }
      } catch (err) {
        round.forEach((c) => c.reject(err));
      }
      next = undefined;
      if (queue.sequential) continue;
      const expected = answered + queue.waiting.length;
      // With several claimers, the next round's search runs while they gather: the round just
      // committed, so the search sees its claims. A lone claimer's round searches when it comes.
      if (expected > 1) {
        next = this.search(queue, expected);
        next.catch(() => undefined); // its failure is the next round's, when it awaits it
      }
      await this.gather(queue, expected);
    }
  }

  /** The oldest claimable sources for `limit` claimers; `exhausted` when there are no more than those found. */
  private async search(queue: ClaimQueue, limit: number): Promise<Found> {
    const after = this.searchStarts.get(queue.key) ?? 0;
    const { candidates, firstUnsettled } = await this.enroll.search(queue.search, after, limit);
    if (firstUnsettled !== null) this.rememberStart(queue.key, firstUnsettled - 1);
    return { candidates, exhausted: candidates.length < limit };
  }

  /**
   * Waits until `expected` claimers are waiting (those the round answered, back for more, and those
   * already waiting) or GATHER_MS has passed, whichever is first. Without it, claimers that loop
   * split into two groups served by alternate rounds of half the size.
   */
  private async gather(queue: ClaimQueue, expected: number): Promise<void> {
    if (queue.waiting.length >= expected || queue.waiting.length >= MAX_ROUND) return;
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        queue.joined = undefined;
        resolve();
      };
      const timer = setTimeout(done, GATHER_MS);
      queue.joined = () => {
        if (queue.waiting.length >= expected || queue.waiting.length >= MAX_ROUND) done();
      };
    });
  }

  private rememberStart(key: string, position: number) {
    const known = this.searchStarts.get(key) ?? 0;
    this.searchStarts.delete(key); // re-inserted last: the map forgets the least recently used first
    this.searchStarts.set(key, Math.max(known, position));
    if (this.searchStarts.size > MAX_REMEMBERED_STARTS) this.searchStarts.delete(this.searchStarts.keys().next().value!);
  }

  /**
   * One append for the round's claimers, of the sources one search found. Returns those whose claim
   * lost a race, and those beyond the sources found when the search stopped at its limit (they wait
   * for the next round); when it found every claimable source there was, those get null.
   */
  private async round(queue: ClaimQueue, round: Claimer[], { candidates: found, exhausted }: Found): Promise<{ lost: Claimer[]; unserved: Claimer[] }> {
    const beyond = round.slice(found.length);
    if (exhausted) beyond.forEach((c) => c.resolve(null));
    const unserved = exhausted ? [] : beyond;
    const claimers = round.slice(0, found.length);
    if (claimers.length === 0) return { lost: [], unserved };
    const now = new Date();
    const claims = claimers.map((c, i) => claimEvent(queue.tenant, found[i], c.request, now));
    const outcomes = await this.enroll.appendClaims(claims, queue.sequential ? { tenant: queue.tenant, type: queue.targetType } : undefined);
    if (!outcomes) {
      claimers.forEach((c) => c.resolve(null));
      return { lost: [], unserved };
    }
    const lost: Claimer[] = [];
    claimers.forEach((c, i) => {
      const outcome = outcomes[i];
      if (outcome.kind !== 'persisted') lost.push(c);
      else if (outcome.recordedAt === undefined) c.reject(new Error(`claim ${claims[i].id} was appended without its recordedAt`));
      else c.resolve(storedClaim(claims[i], { version: outcome.version, position: outcome.position, recordedAt: outcome.recordedAt }));
    });
    return { lost, unserved };
  }
}
