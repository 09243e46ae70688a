import { duration, percent, poolBanner, share, trust, vpnLine } from './format';
import { type WorkerNodeView } from '@hivemind/contracts';

describe(duration.name, () => {
  it.each([
    [0, '0 s'],
    [42.4, '42 s'],
    [185, '3 min 05 s'],
    [3720, '1 h 02 min'],
    [-3, '0 s'],
  ])('%p s → %s', (seconds, text) => {
    expect(duration(seconds)).toBe(text);
  });
});

describe(percent.name, () => {
  it.each([
    [12.54, '12.5 %'],
    [100, '100 %'],
    [null, '–'],
    [undefined, '–'],
    [Number.NaN, '–'],
  ])('%p → %s', (value, text) => {
    expect(percent(value)).toBe(text);
  });
});

describe(share.name, () => {
  it('writes cores, memory and disk', () => {
    expect(share({ cpu_millicores: 250, memory_mb: 256, storage_mb: 1024 })).toBe(
      '0.25 cores · 256 MB memory · 1024 MB disk',
    );
  });
});

describe(trust.name, () => {
  it.each([
    [{ trust_score: 62, trust_group: 'normal' }, '62 (normal)'],
    [{ trust_score: 0, trust_group: null }, '0'],
    [{ trust_score: null, trust_group: null }, 'not known yet'],
  ])('%p → %s', (node, text) => {
    expect(trust(node)).toBe(text);
  });
});

describe(vpnLine.name, () => {
  it.each([
    [null, 'not used (VPN_AUTO_JOIN is off)'],
    [{ state: 'disabled' as const }, 'not used (VPN_AUTO_JOIN is off)'],
    [
      { state: 'up' as const, message: 'hm0 up (wireguard-go), this node 10.128.0.2' },
      'hm0 up (wireguard-go), this node 10.128.0.2',
    ],
    [{ state: 'error' as const, error: 'wg-quick failed' }, 'error: wg-quick failed'],
    [{ state: 'down' as const, address: '10.128.0.2' }, 'down — this node 10.128.0.2'],
  ])('%p → %s', (vpn, text) => {
    expect(vpnLine(vpn)).toBe(text);
  });
});

describe(poolBanner.name, () => {
  const node = (connected: boolean, last_error: string | null = null): WorkerNodeView => ({
    node_id: 'box',
    node_uuid: null,
    owner: 'alice',
    owner_id: null,
    trust_score: 50,
    trust_group: 'normal',
    cpt_earned: '0',
    pool: { address: 'pool:50051', connected, last_heartbeat: null, last_error },
    vpn: null,
    cached_at: null,
  });

  it('says nothing while the pool is connected and the session was checked by it', () => {
    expect(poolBanner(node(true), false)).toBeNull();
    expect(poolBanner(null, false)).toBeNull();
  });

  it('names the pool and why it cannot be reached, and that the identity is cached', () => {
    expect(poolBanner(node(false, 'connect ECONNREFUSED'), false)).toBe(
      'The node pool at pool:50051 cannot be reached: connect ECONNREFUSED. Showing this node as the pool last described it.',
    );
  });

  it('says when the session itself was opened offline', () => {
    expect(poolBanner(node(true), true)).toMatch(/^Signed in while the node pool was unreachable/);
  });
});
