import { DockerStatus, NodeStatus, type NodeView, TrustGroup, type NodeFrame } from '@hivemind/contracts';
import { applyNodeFrame, applyNodeFrames, isNewcomer, toNodeRow } from './node-live';

const resources = {
  cpu_millicores: 8000,
  memory_mb: 16_384,
  storage_mb: 0,
  cpu_score: 0,
  gpu_score: 0,
  gpu_memory_mb: 0,
};
const NOW = Date.parse('2026-05-01T10:00:00Z');

const node = (over: Partial<NodeView> = {}): NodeView => ({
  id: 'n1',
  name: 'gpu-box',
  owner: 'alice',
  status: NodeStatus.Online,
  docker_status: DockerStatus.Enabled,
  credit_score: 60,
  trust_group: TrustGroup.Normal,
  hostname: 'gpu-box.lan',
  port: 50052,
  location: '',
  gpu_name: '',
  agent_version: '1.0.0',
  total: resources,
  available: resources,
  running_attempts: 0,
  max_concurrent: 2,
  last_heartbeat_at: '2026-05-01T09:59:50Z',
  heartbeat_age_s: 10,
  cpu_percent: 5,
  memory_percent: 20,
  registered_at: '2026-04-01T00:00:00Z',
  standing: {
    valid_run: 0,
    valid_results: 0,
    invalid_results: 0,
    probation: true,
    operator: false,
    node_faults: 0,
    disproved_claims: 0,
    last_fault_at: null,
  },
  ...over,
});

const frame = (over: Partial<NodeFrame>): NodeFrame => ({
  type: 'node',
  event: 'heartbeat',
  node_id: 'n1',
  name: 'gpu-box',
  status: 'online',
  at: '2026-05-01T10:00:05Z',
  ...over,
});

describe(toNodeRow.name, () => {
  it("dates the last heartbeat by the browser's clock from the server's age", () => {
    expect(toNodeRow(node(), NOW).seenAtMs).toBe(NOW - 10_000);
    expect(toNodeRow(node({ heartbeat_age_s: null, last_heartbeat_at: null }), NOW).seenAtMs).toBeNull();
  });
});

describe(applyNodeFrame.name, () => {
  const row = toNodeRow(node(), NOW);

  it('takes the load, the attempts and the time of a heartbeat', () => {
    const next = applyNodeFrame(
      row,
      frame({ cpu_percent: 37.5, memory_percent: 61, running_attempts: 2 }),
      NOW + 5000,
    );
    expect(next).toMatchObject({
      cpu_percent: 37.5,
      memory_percent: 61,
      running_attempts: 2,
      last_heartbeat_at: '2026-05-01T10:00:05Z',
      heartbeat_age_s: 0,
      seenAtMs: NOW + 5000,
    });
    expect(row.cpu_percent).toBe(5); // not mutated
  });

  it('takes a new status, credit score and trust group; a status event is not a heartbeat', () => {
    const next = applyNodeFrame(
      row,
      frame({ event: 'draining', status: 'draining', credit_score: 100, trust_group: 'high' }),
      NOW + 5000,
    );
    expect(next).toMatchObject({
      status: NodeStatus.Draining,
      credit_score: 100,
      trust_group: TrustGroup.High,
    });
    expect(next.seenAtMs).toBe(row.seenAtMs);
    expect(next.last_heartbeat_at).toBe(row.last_heartbeat_at);
  });

  it("forgets an offline node's load", () => {
    const next = applyNodeFrame(row, frame({ event: 'offline', status: 'offline' }), NOW);
    expect(next).toMatchObject({ status: NodeStatus.Offline, cpu_percent: null, memory_percent: null });
  });

  it('reads an upper-case status and ignores unknown ones and an empty name', () => {
    expect(applyNodeFrame(row, frame({ status: 'DRAINING' }), NOW).status).toBe(NodeStatus.Draining);
    const odd = applyNodeFrame(row, frame({ status: 'exploded', name: '', trust_group: 'royal' }), NOW);
    expect(odd).toMatchObject({ status: NodeStatus.Online, name: 'gpu-box', trust_group: TrustGroup.Normal });
  });

  it("leaves another node's row alone", () => {
    expect(applyNodeFrame(row, frame({ node_id: 'n2', cpu_percent: 99 }), NOW)).toBe(row);
  });
});

describe(applyNodeFrames.name, () => {
  const rows = [toNodeRow(node(), NOW), toNodeRow(node({ id: 'n2', name: 'cpu-box' }), NOW)];

  it('applies a batch in order to the rows it concerns', () => {
    const next = applyNodeFrames(
      rows,
      [
        frame({ node_id: 'n2', cpu_percent: 10 }),
        frame({ node_id: 'n2', cpu_percent: 20 }),
        frame({ node_id: 'n9', cpu_percent: 30 }),
      ],
      NOW,
    );
    expect(next.map((r) => r.cpu_percent)).toEqual([5, 20]);
    expect(next[0]).toBe(rows[0]);
  });

  it('returns the same array when no frame concerns a row (no needless redraw)', () => {
    expect(applyNodeFrames(rows, [frame({ node_id: 'n9' })], NOW)).toBe(rows);
  });
});

describe(isNewcomer.name, () => {
  const rows = [toNodeRow(node(), NOW)];
  const registered = frame({ event: 'registered', node_id: 'n2' });

  it('spots a node the complete list lacks', () => {
    expect(isNewcomer(rows, registered, '', true)).toBe(true);
    expect(
      isNewcomer(rows, frame({ event: 'draining', status: 'draining', node_id: 'n2' }), 'draining', true),
    ).toBe(true);
  });

  it('ignores known nodes, heartbeats, other statuses and lists with pages still to load', () => {
    expect(isNewcomer(rows, frame({ event: 'registered' }), '', true)).toBe(false);
    expect(isNewcomer(rows, frame({ node_id: 'n2' }), '', true)).toBe(false);
    expect(isNewcomer(rows, registered, 'offline', true)).toBe(false);
    expect(isNewcomer(rows, registered, '', false)).toBe(false);
  });
});
