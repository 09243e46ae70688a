import {
  generateKeyPair,
  hostAddress,
  hostNumber,
  isWireGuardKey,
  parseSubnet,
  publicKeyOf,
  renderClientConfig,
  renderServerConfig,
} from './wireguard';

const hex = (h: string) => Buffer.from(h, 'hex').toString('base64');

describe('WireGuard keys', () => {
  it('derives X25519 public keys as RFC 7748 §6.1 does', () => {
    const alice = hex('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
    expect(publicKeyOf(alice)).toBe(hex('8520f0098930a754748b7ddcb43ef75a0dbf3a0d26381af4eba4a98eaa9b4e6a'));
    const bob = hex('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');
    expect(publicKeyOf(bob)).toBe(hex('de9edb7d7b7dc1b4d35b61c2ece435373f8343c85b78674dadfc7e146f882b4f'));
  });

  it('makes clamped 32-byte keys in wg’s base64 form, each pair different', () => {
    const a = generateKeyPair();
    const b = generateKeyPair();
    for (const key of [a.privateKey, a.publicKey]) {
      expect(key).toHaveLength(44);
      expect(isWireGuardKey(key)).toBe(true);
    }
    const scalar = Buffer.from(a.privateKey, 'base64');
    expect(scalar[0] & 7).toBe(0);
    expect(scalar[31] & 0xc0).toBe(0x40);
    expect(a.privateKey).not.toBe(b.privateKey);
    expect(publicKeyOf(a.privateKey)).toBe(a.publicKey);
  });

  it.each([
    ['', false],
    ['not a key', false],
    ['B' + 'A'.repeat(42) + '=', true],
    ['A'.repeat(42) + 'B=', false], // the last character carries bits beyond 32 bytes
    ['B' + 'A'.repeat(43), false], // no padding
    ['A'.repeat(43) + '=', false], // all zero bytes
  ])('isWireGuardKey(%j) is %s', (key, valid) => {
    expect(isWireGuardKey(key)).toBe(valid);
  });
});

describe('VPN subnets', () => {
  it('parses a network and numbers its hosts', () => {
    const subnet = parseSubnet('10.0.0.0/24');
    if (typeof subnet === 'string') throw new Error(subnet);
    expect(subnet).toMatchObject({ prefix: 24, size: 256, cidr: '10.0.0.0/24' });
    expect(hostAddress(subnet, 1)).toBe('10.0.0.1');
    expect(hostAddress(subnet, 254)).toBe('10.0.0.254');
    expect(() => hostAddress(subnet, 255)).toThrow(RangeError);
    expect(hostNumber(subnet, '10.0.0.17')).toBe(17);
    expect(hostNumber(subnet, '10.0.1.17')).toBeUndefined();
    const wide = parseSubnet('172.16.0.0/12');
    expect(typeof wide !== 'string' && hostAddress(wide, 65536 + 2)).toBe('172.17.0.2');
  });

  it.each([
    ['10.0.0.0', /IPv4 network like 10.0.0.0\/24/],
    ['10.0.0.0/31', /prefix 8 to 30/],
    ['10.0.0.0/7', /prefix 8 to 30/],
    ['10.0.0.300/24', /IPv4 network/],
    ['fd00::/64', /IPv4 network/],
    ['10.0.0.5/24', /must start at its network address: 10.0.0.0\/24/],
  ])('refuses %s with a message naming the fix', (text, message) => {
    expect(parseSubnet(text)).toMatch(message);
  });
});

describe('configs', () => {
  const server = generateKeyPair();
  const client = generateKeyPair();

  it('renders a client config with the server as its peer', () => {
    const text = renderClientConfig({
      name: 'laptop',
      privateKey: client.privateKey,
      address: '10.0.0.2',
      dns: ['10.0.0.1'],
      serverPublicKey: server.publicKey,
      endpoint: 'vpn.example.org:51820',
      allowedIps: ['10.0.0.0/24'],
      keepaliveS: 25,
    });
    expect(text).toBe(
      [
        '# HiveMind VPN: laptop',
        '[Interface]',
        `PrivateKey = ${client.privateKey}`,
        'Address = 10.0.0.2/32',
        'DNS = 10.0.0.1',
        '',
        '[Peer]',
        `PublicKey = ${server.publicKey}`,
        'Endpoint = vpn.example.org:51820',
        'AllowedIPs = 10.0.0.0/24',
        'PersistentKeepalive = 25',
        '',
      ].join('\n'),
    );
  });

  it('leaves the PrivateKey line for the client to fill when the client keeps its key, and DNS out when none', () => {
    const text = renderClientConfig({
      name: 'phone',
      address: '10.0.0.3',
      dns: [],
      serverPublicKey: server.publicKey,
      endpoint: 'vpn.example.org:51820',
      allowedIps: ['10.0.0.0/24', '192.168.0.0/16'],
      keepaliveS: 25,
    });
    expect(text).not.toMatch(/^PrivateKey/m);
    expect(text).toContain('# PrivateKey = <the private key you generated for this peer>');
    expect(text).not.toContain('DNS');
    expect(text).toContain('AllowedIPs = 10.0.0.0/24, 192.168.0.0/16');
  });

  it('renders the server config with one [Peer] per peer', () => {
    const text = renderServerConfig({
      privateKey: server.privateKey,
      address: '10.0.0.1/24',
      listenPort: 51820,
      peers: [
        { name: 'laptop', publicKey: client.publicKey, address: '10.0.0.2' },
        { name: 'node-1', publicKey: server.publicKey, address: '10.0.0.3' },
      ],
    });
    expect(text).toContain(
      `[Interface]\nPrivateKey = ${server.privateKey}\nAddress = 10.0.0.1/24\nListenPort = 51820\n`,
    );
    expect(text).toContain(`# laptop\n[Peer]\nPublicKey = ${client.publicKey}\nAllowedIPs = 10.0.0.2/32\n`);
    expect(text.match(/\[Peer\]/g)).toHaveLength(2);
  });
});
