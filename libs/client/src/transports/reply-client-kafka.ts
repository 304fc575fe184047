import { ClientKafka } from '@nestjs/microservices';
import type { ConsumerGroupJoinEvent } from '@nestjs/microservices/external/kafka.interface';
import { filter, Observable, Subject, take } from 'rxjs';

/**
 * Nest's ClientKafka, fetching only the reply partitions it names. Nest asks for every reply on the
 * lowest partition of each reply topic this member holds (the `kafka_replyPartition` header), yet
 * its consumer fetches every partition it was assigned: with 9 reply topics of 12–16 partitions,
 * each fetch request and response names 100–150 partitions that never carry a reply, and decoding
 * them cost the client as much CPU as the rest of a round trip (decision 045). The others are
 * paused. A partition named before a rebalance stays fetched while this member holds it, for the
 * replies to requests sent before the rebalance.
 */
export class ReplyClientKafka extends ClientKafka {
  private readonly named = new Map<string, Set<number>>();
  /** Each join's assignment of this member, for requests waiting on a reply partition. */
  private readonly joins = new Subject<Record<string, number[]>>();

  /**
   * Emits once a rebalance leaves this member without `partition` of `topic`: a reply asked for
   * there now goes to another member of the group, which drops it as not its own.
   */
  lost(topic: string, partition: number | undefined): Observable<unknown> {
    return this.joins.pipe(
      filter((assigned) => partition === undefined || !(assigned[topic] ?? []).includes(partition)),
      take(1),
    );
  }

  protected override setConsumerAssignments(data: ConsumerGroupJoinEvent): void {
    super.setConsumerAssignments(data);
    const assigned = Object.entries(data.payload.memberAssignment);
    for (const [topic] of assigned) {
      const partition = this.consumerAssignments[topic];
      if (partition !== undefined) this.named.set(topic, (this.named.get(topic) ?? new Set()).add(partition));
    }
    this.consumer.resume(assigned.map(([topic, partitions]) => ({ topic, partitions })));
    this.consumer.pause(
      assigned
        .map(([topic, partitions]) => ({ topic, partitions: partitions.filter((p) => !this.named.get(topic)?.has(p)) }))
        .filter(({ partitions }) => partitions.length > 0),
    );
    this.joins.next(data.payload.memberAssignment);
  }
}
