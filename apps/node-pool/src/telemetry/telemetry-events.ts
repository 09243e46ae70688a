// Live events as features publish them (TelemetryService.publish) and as they travel between
// replicas over Redis pub/sub: the wire's event frames (@hivemind/contracts) with camelCase keys,
// like the pool's other internals; eventFrame turns one back into its frame. Derived, not written
// out again, so the event names and fields cannot drift from the wire. Every event says who may
// see it: `userId` set → that user and admins; unset → every logged-in user.
import { type LogFrame, type NodeFrame, type TaskFrame } from '@hivemind/contracts';

/** `shard_index` → `shardIndex`. */
export type CamelCase<S extends string> = S extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : S;

/** The same object with camelCase keys (optional ones stay optional). */
export type CamelKeys<T> = { [K in keyof T as K extends string ? CamelCase<K> : K]: T[K] };

/** Node events have no owner: every logged-in user sees them. */
export type NodeTelemetryEvent = CamelKeys<NodeFrame> & { userId?: undefined };
export type TaskTelemetryEvent = CamelKeys<TaskFrame>;
export type LogTelemetryEvent = CamelKeys<LogFrame>;

export type TelemetryEvent = NodeTelemetryEvent | TaskTelemetryEvent | LogTelemetryEvent;
