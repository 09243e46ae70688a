import { type NodeEvent, type NodeFrame, type SystemStatusView } from '@hivemind/contracts';
import {
  type Alert,
  FAILURE_SPIKE_THRESHOLD,
  FAILURE_SPIKE_WINDOW_MS,
  degradedAlert,
  failureSpike,
  failuresWithin,
  nodeLostAlert,
  withAlert,
} from './alerts';
import { type Finish } from './trends';

const NOW = Date.UTC(2026, 4, 1, 10, 0, 0);
const failed = (n: number, msAgo: number): Finish[] =>
  Array.from({ length: n }, (_, i) => ({ taskId: `f${msAgo}-${i}`, status: 'FAILED', at: NOW - msAgo }));
const node = (event: NodeEvent): NodeFrame => ({
  type: 'node',
  event,
  node_id: 'n1',
  name: 'gpu-box',
  status: event.toUpperCase(),
  at: '2026-05-01T09:59:00.000Z',
});
const status = (over: Partial<SystemStatusView>): SystemStatusView => ({
  status: 'ok',
  postgres: 'up',
  redis: 'up',
  replicas: [],
  replica_id: 'r1',
  nodes: { online: 1, offline: 0, draining: 0, by_trust_group: {} },
  tasks: {},
  shards: { queued: 0, assigned: 0, running: 0 },
  scheduler: { strategy: 'balanced', heartbeat_timeout_s: 30 },
  time: '2026-05-01T10:00:00.000Z',
  ...over,
});
const alert = (id: string, at: number): Alert => ({ id, kind: 'node-lost', message: id, at });

describe(nodeLostAlert.name, () => {
  it('raises an alert, at the frame time, for a node going offline', () => {
    expect(nodeLostAlert(node('offline'))).toEqual({
      id: 'node-lost:n1:2026-05-01T09:59:00.000Z',
      kind: 'node-lost',
      message: 'Node gpu-box went offline',
      at: Date.parse('2026-05-01T09:59:00.000Z'),
    });
  });

  it.each<NodeEvent>(['online', 'heartbeat', 'draining', 'registered', 'updated'])('ignores %s', (event) => {
    expect(nodeLostAlert(node(event))).toBeNull();
  });
});

describe(failuresWithin.name, () => {
  it('counts failures of the last 5 minutes only, not completions', () => {
    const finishes: Finish[] = [
      ...failed(2, 1000),
      ...failed(1, FAILURE_SPIKE_WINDOW_MS - 1),
      ...failed(3, FAILURE_SPIKE_WINDOW_MS),
      { taskId: 'ok', status: 'COMPLETED', at: NOW },
    ];
    expect(failuresWithin(finishes, NOW)).toBe(3);
  });
});

describe(failureSpike.name, () => {
  const N = FAILURE_SPIKE_THRESHOLD;

  it('stays quiet below the threshold', () => {
    expect(failureSpike(failed(N - 1, 0), NOW, false)).toEqual({ active: false, alert: null });
  });

  it('raises one alert when failures reach the threshold', () => {
    const state = failureSpike(failed(N, 0), NOW, false);
    expect(state.active).toBe(true);
    expect(state.alert).toMatchObject({ kind: 'failure-spike', at: NOW });
    expect(state.alert?.message).toBe(`Failure spike: ${N} tasks failed in the last 5 minutes`);
  });

  it('does not raise it again while the spike lasts', () => {
    expect(failureSpike(failed(N + 3, 0), NOW, true)).toEqual({ active: true, alert: null });
  });

  it('re-arms once the failures fall below the threshold', () => {
    const old = failed(N, FAILURE_SPIKE_WINDOW_MS + 1);
    expect(failureSpike(old, NOW, true)).toEqual({ active: false, alert: null });
    expect(failureSpike([...old, ...failed(N, 0)], NOW, false).alert).not.toBeNull();
  });
});

describe(degradedAlert.name, () => {
  it('names the stores that are down when the system turns degraded', () => {
    const next = status({ status: 'degraded', postgres: 'down', redis: 'down' });
    expect(degradedAlert(status({}), next, NOW)).toEqual({
      id: `degraded:${NOW}`,
      kind: 'degraded',
      message: 'System degraded: PostgreSQL and Redis down',
      at: NOW,
    });
    expect(degradedAlert(null, status({ status: 'degraded', redis: 'down' }), NOW)?.message).toBe(
      'System degraded: Redis down',
    );
  });

  it('raises nothing while it stays degraded or is healthy', () => {
    const degraded = status({ status: 'degraded', redis: 'down' });
    expect(degradedAlert(degraded, degraded, NOW)).toBeNull();
    expect(degradedAlert(degraded, status({}), NOW)).toBeNull();
  });
});

describe(withAlert.name, () => {
  it('keeps the newest first, whatever the order they arrive in', () => {
    const list = withAlert(withAlert([alert('a', 2)], alert('b', 3)), alert('c', 1));
    expect(list.map((a) => a.id)).toEqual(['b', 'a', 'c']);
  });

  it('shows an alert once', () => {
    const list = withAlert([alert('a', 2)], alert('a', 2));
    expect(list).toHaveLength(1);
  });

  it('returns the same list for no alert', () => {
    const list = [alert('a', 2)];
    expect(withAlert(list, null)).toBe(list);
  });

  it('keeps only the newest ones', () => {
    const list = [1, 2, 3, 4].reduce<readonly Alert[]>((l, i) => withAlert(l, alert(`a${i}`, i), 3), []);
    expect(list.map((a) => a.id)).toEqual(['a4', 'a3', 'a2']);
  });
});
