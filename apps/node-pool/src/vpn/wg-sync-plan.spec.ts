import { parseSubnet, type Ipv4Subnet, type WgInterfaceState } from '@hivemind/contracts/wireguard';
import { PEERS_PER_CALL, applicable, planSync } from './wg-sync-plan';

const subnet = parseSubnet('10.128.0.0/16') as Ipv4Subnet;
const key = (c: string) => c.repeat(42) + 'E=';
const SERVER = key('S');
const iface = (peers: WgInterfaceState['peers'], publicKey = SERVER): WgInterfaceState => ({
  publicKey,
  listenPort: 51820,
  peers,
});
const live = (c: string, allowed: string[]) => ({
  publicKey: key(c),
  allowedIps: allowed,
  latestHandshake: 0,
});

describe(planSync.name, () => {
  it('adds missing peers, removes revoked ones and leaves the rest alone', () => {
    const plan = planSync(
      'wg0',
      iface([live('A', ['10.128.0.2/32']), live('B', ['10.128.0.3/32'])]),
      [
        { publicKey: key('A'), address: '10.128.0.2' },
        { publicKey: key('C'), address: '10.128.0.4' },
      ],
      { publicKey: SERVER, subnet },
    );
    expect(plan).toEqual({
      setServerKey: false,
      calls: [['wg0', 'peer', key('B'), 'remove', 'peer', key('C'), 'allowed-ips', '10.128.0.4/32']],
      added: 1,
      removed: 1,
      skipped: [],
    });
  });

  it('corrects a peer whose allowed IPs differ', () => {
    const plan = planSync(
      'wg0',
      iface([live('A', ['10.128.0.0/16'])]),
      [{ publicKey: key('A'), address: '10.128.0.2' }],
      {
        publicKey: SERVER,
        subnet,
      },
    );
    expect(plan.calls).toEqual([['wg0', 'peer', key('A'), 'allowed-ips', '10.128.0.2/32']]);
  });

  it('has nothing to do when the interface already matches', () => {
    const plan = planSync(
      'wg0',
      iface([live('A', ['10.128.0.2/32'])]),
      [{ publicKey: key('A'), address: '10.128.0.2' }],
      {
        publicKey: SERVER,
        subnet,
      },
    );
    expect(plan.calls).toEqual([]);
  });

  it('sets the server key on an interface that has another one or none', () => {
    expect(planSync('wg0', iface([], ''), [], { publicKey: SERVER, subnet }).setServerKey).toBe(true);
    expect(planSync('wg0', iface([], key('X')), [], { publicKey: SERVER, subnet }).setServerKey).toBe(true);
  });

  it('never passes a bad key or an address outside the subnet to wg', () => {
    const bad = [
      { publicKey: 'not-a-key', address: '10.128.0.5' },
      { publicKey: key('D'), address: '10.0.0.5' },
      { publicKey: key('E'), address: '10.128.0.5/8' },
      { publicKey: key('F'), address: '10.128.255.255' }, // broadcast
      { publicKey: `${key('G')} peer x`, address: '10.128.0.6' },
    ];
    const plan = planSync('wg0', iface([]), bad, { publicKey: SERVER, subnet });
    expect(plan.calls).toEqual([]);
    expect(plan.skipped).toEqual(bad);
  });

  it(`splits many changes into calls of ${PEERS_PER_CALL} peers`, () => {
    const desired = Array.from({ length: 1200 }, (_, i) => ({
      publicKey: Buffer.from([1, i % 256, i >> 8, ...new Array<number>(29).fill(0)]).toString('base64'),
      address: `10.128.${(i >> 8) + 1}.${i % 256}`,
    }));
    const plan = planSync('wg0', iface([]), desired, { publicKey: SERVER, subnet });
    expect(plan.calls.map((c) => (c.length - 1) / 4)).toEqual([500, 500, 200]);
  });
});

describe(applicable.name, () => {
  it.each([
    ['10.128.0.2', true],
    ['10.128.0.1', true], // the server's own address is in the subnet; the issuer never hands it out
    ['10.129.0.2', false],
    ['10.128.0.0', false],
    ['::1', false],
    ['10.128.0.2 ', false],
  ])('%j in 10.128.0.0/16: %s', (address, ok) => {
    expect(applicable({ publicKey: key('A'), address }, subnet)).toBe(ok);
  });
});
