import { setFlagsFromString } from 'node:v8';
import { applyHeapPolicy } from './heap-policy';

jest.mock('node:v8', () => ({ setFlagsFromString: jest.fn() }));

describe(applyHeapPolicy.name, () => {
  beforeEach(() => jest.mocked(setFlagsFromString).mockClear());

  it('gives V8 the growing factor HEAP_GROWING_PERCENT asks for', () => {
    applyHeapPolicy({ heapGrowingPercent: 25 });
    expect(setFlagsFromString).toHaveBeenCalledWith('--heap-growing-percent=25');
  });

  it("leaves V8's own factor at 0", () => {
    applyHeapPolicy({ heapGrowingPercent: 0 });
    expect(setFlagsFromString).not.toHaveBeenCalled();
  });
});
