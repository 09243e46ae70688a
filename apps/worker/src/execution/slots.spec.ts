import { type SlotState, slotDecision } from './slots';

describe(slotDecision.name, () => {
  it.each<[string, SlotState, ReturnType<typeof slotDecision>]>([
    ['an idle node', { max: 2, inUse: 0, finishing: 0, waiting: 0 }, 'start'],
    ['one slot left', { max: 2, inUse: 1, finishing: 0, waiting: 0 }, 'start'],
    ['a slot left, but others wait', { max: 2, inUse: 1, finishing: 0, waiting: 1 }, 'queue'],
    ['full with stopped attempts still dying', { max: 2, inUse: 2, finishing: 2, waiting: 0 }, 'wait'],
    ['one running, one stopped and dying', { max: 2, inUse: 2, finishing: 1, waiting: 0 }, 'wait'],
    ['one running, one dying, one already waiting', { max: 2, inUse: 2, finishing: 1, waiting: 1 }, 'beyond'],
    ['two running: the pool pushed a third', { max: 2, inUse: 2, finishing: 0, waiting: 0 }, 'beyond'],
    [
      'a report in flight counts as free (slot let go before it)',
      { max: 1, inUse: 0, finishing: 0, waiting: 0 },
      'start',
    ],
  ])('%s → %s', (_what, state, decision) => {
    expect(slotDecision(state)).toBe(decision);
  });
});
