// Keeping a node as the console shows it up to date with the telemetry's `node` frames, without
// asking the REST API again. Pure.
import {
  NodeStatus,
  type NodeView,
  TrustGroup,
  type NodeFrame,
  type TelemetryFrame,
} from '@hivemind/contracts';

/** A node as read over REST, and when its last heartbeat was by the browser's clock. */
export interface NodeRow extends NodeView {
  /**
   * The last heartbeat in the browser's milliseconds (null before the first one): estimated from the
   * server's `heartbeat_age_s` when read, the arrival time of a live heartbeat after that, so that a
   * skewed browser clock does not skew the age shown.
   */
  seenAtMs: number | null;
}

export function toNodeRow(node: NodeView, receivedAtMs: number): NodeRow {
  return {
    ...node,
    seenAtMs: node.heartbeat_age_s === null ? null : receivedAtMs - node.heartbeat_age_s * 1000,
  };
}

export const isNodeFrame = (frame: TelemetryFrame): frame is NodeFrame => frame.type === 'node';

const STATUSES = new Set<string>(Object.values(NodeStatus));
const TRUST_GROUPS = new Set<string>(Object.values(TrustGroup));

/** The node with what the frame says about it (the same object when the frame is another node's). */
export function applyNodeFrame<T extends NodeRow>(node: T, frame: NodeFrame, receivedAtMs: number): T {
  if (frame.node_id !== node.id) return node;
  const next: T = { ...node };
  const status = frame.status?.toLowerCase();
  if (status && STATUSES.has(status)) next.status = status as NodeStatus;
  if (frame.name) next.name = frame.name;
  if (frame.credit_score !== undefined) next.credit_score = frame.credit_score;
  if (frame.trust_group && TRUST_GROUPS.has(frame.trust_group))
    next.trust_group = frame.trust_group as TrustGroup;
  if (frame.running_attempts !== undefined) next.running_attempts = frame.running_attempts;
  if (frame.event === 'heartbeat') {
    if (frame.cpu_percent !== undefined) next.cpu_percent = frame.cpu_percent;
    if (frame.memory_percent !== undefined) next.memory_percent = frame.memory_percent;
    next.last_heartbeat_at = frame.at;
    next.heartbeat_age_s = 0;
    next.seenAtMs = receivedAtMs;
  }
  if (next.status === NodeStatus.Offline) {
    // as the REST API says it: an offline node's load is unknown
    next.cpu_percent = null;
    next.memory_percent = null;
  }
  return next;
}

/** The rows with a batch of frames applied: a new array when a row changed, else the same one. */
export function applyNodeFrames<T extends NodeRow>(
  rows: readonly T[],
  frames: readonly NodeFrame[],
  receivedAtMs: number,
): readonly T[] {
  const index = new Map(rows.map((row, i) => [row.id, i]));
  let next: T[] | null = null;
  for (const frame of frames) {
    const i = index.get(frame.node_id);
    if (i === undefined) continue;
    next ??= [...rows];
    next[i] = applyNodeFrame(next[i], frame, receivedAtMs);
  }
  return next ?? rows;
}

/**
 * Whether a frame tells of a node the list should show but does not have (a node registered, or one
 * coming into the status the list is filtered by): then the list is worth reading again. Only a
 * complete list (its last page loaded) can tell a node is missing; heartbeats never count.
 */
export function isNewcomer(
  rows: readonly NodeRow[],
  frame: NodeFrame,
  statusFilter: string,
  complete: boolean,
): boolean {
  if (!complete || frame.event === 'heartbeat') return false;
  if (statusFilter && frame.status?.toLowerCase() !== statusFilter) return false;
  return !rows.some((row) => row.id === frame.node_id);
}
