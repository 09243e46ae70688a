// Whether a pushed attempt may start now (docs/worker.md "Slots and stops"). Pure: no IO.

/** The node's slots when an attempt is pushed. */
export interface SlotState {
  /** MAX_CONCURRENT_TASKS. */
  max: number;
  /** Attempts whose run or workspace exists. */
  inUse: number;
  /**
   * Of those, the ones the pool has counted free (it stopped them, or they are cleaning up) or will
   * at once (their report is in flight while their run is being removed).
   */
  finishing: number;
  /** Attempts pushed earlier that wait for a slot. */
  waiting: number;
}

/**
 * - `start`: a slot is free and nobody waits for one;
 * - `queue`: a slot is free, but earlier pushes wait: in line behind them (they start first);
 * - `wait`: no slot is free because stopped or ended attempts are still being removed — the pool
 *   counted their slots free the moment it stopped them or took their report, so this is expected
 *   and short;
 * - `beyond`: the pool counts every slot busy (running, or pushed and waiting) and still pushed:
 *   it and the node disagree. The attempt waits all the same.
 */
export function slotDecision(s: SlotState): 'start' | 'queue' | 'wait' | 'beyond' {
  if (s.inUse < s.max) return s.waiting > 0 ? 'queue' : 'start';
  return s.inUse - s.finishing + s.waiting >= s.max ? 'beyond' : 'wait';
}
