import { cameOverTls, clientAddress, parseTrustProxy, trustFunction } from './client-address';

describe(parseTrustProxy.name, () => {
  it.each([
    [undefined, false],
    ['', false],
    ['false', false],
    ['0', false],
    ['1', 1],
    ['2', 2],
    ['loopback', ['loopback']],
    ['10.0.0.0/8, 192.168.1.5', ['10.0.0.0/8', '192.168.1.5']],
    ['fd00::/8,loopback', ['fd00::/8', 'loopback']],
  ])('%j → %j', (raw, expected) => {
    expect(parseTrustProxy(raw)).toEqual(expected);
  });

  it.each([['true'], ['11'], ['10.0.0.0/33'], ['proxy.example.org'], ['10.0.0.1/8/2']])(
    'refuses %j',
    (raw) => {
      expect(typeof parseTrustProxy(raw)).toBe('string');
    },
  );
});

describe(clientAddress.name, () => {
  const none = trustFunction(false);
  const loopback = trustFunction(['loopback']);
  const oneHop = trustFunction(1);
  it.each([
    [
      'no proxy trusted: the socket, whatever X-Forwarded-For says',
      '127.0.0.1',
      '203.0.113.9',
      none,
      '127.0.0.1',
    ],
    ['IPv4-mapped IPv6 shown as IPv4', '::ffff:10.1.2.3', undefined, none, '10.1.2.3'],
    ['a trusted proxy: the address it forwards', '127.0.0.1', '203.0.113.9', loopback, '203.0.113.9'],
    [
      'a trusted proxy: the nearest untrusted entry, not a spoofed first one',
      '127.0.0.1',
      '6.6.6.6, 203.0.113.9',
      loopback,
      '203.0.113.9',
    ],
    [
      'an untrusted peer: its X-Forwarded-For is ignored',
      '198.51.100.1',
      '203.0.113.9',
      loopback,
      '198.51.100.1',
    ],
    ['one hop: the last entry', '10.0.0.2', '6.6.6.6, 203.0.113.9', oneHop, '203.0.113.9'],
    ['no address at all', undefined, undefined, none, 'unknown'],
  ])('%s', (_, socket, forwarded, trust, expected) => {
    expect(clientAddress(socket, forwarded, trust)).toBe(expected);
  });
});

describe(cameOverTls.name, () => {
  const loopback = trustFunction(['loopback']);
  it.each([
    ['its own TLS socket', true, '198.51.100.1', undefined, true],
    ['plain, no header', false, '127.0.0.1', undefined, false],
    ['a trusted proxy saying https', false, '127.0.0.1', 'https', true],
    ['a trusted proxy saying http', false, '127.0.0.1', 'http', false],
    ['an untrusted peer claiming https', false, '198.51.100.1', 'https', false],
  ])('%s', (_, encrypted, socket, proto, expected) => {
    expect(cameOverTls(encrypted, socket, proto, loopback)).toBe(expected);
  });
});
