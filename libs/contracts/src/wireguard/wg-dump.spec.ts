import { parseWgDump } from './wg-dump';

const key = (c: string) => c.repeat(42) + 'E=';
const SERVER = key('B');
const PEER = key('C');

describe(parseWgDump.name, () => {
  it('reads the interface line and each peer', () => {
    const dump = [
      `${key('A')}\t${SERVER}\t51820\toff`,
      `${PEER}\t(none)\t192.168.77.2:34785\t10.128.0.2/32\t1796515449\t276\t172\toff`,
      `${key('D')}\t(none)\t(none)\t(none)\t0\t0\t0\toff`,
      '',
    ].join('\n');
    expect(parseWgDump(dump)).toEqual({
      publicKey: SERVER,
      listenPort: 51820,
      peers: [
        { publicKey: PEER, allowedIps: ['10.128.0.2/32'], latestHandshake: 1796515449 },
        { publicKey: key('D'), allowedIps: [], latestHandshake: 0 },
      ],
    });
  });

  it('reads an interface without a key yet', () => {
    expect(parseWgDump('(none)\t(none)\t0\toff\n')).toEqual({ publicKey: '', listenPort: 0, peers: [] });
  });

  it.each([[''], ['interface wg0: no such device'], [`(none)\t(none)\t0\toff\nnot a peer line`]])(
    'refuses %j rather than reading it as no peers',
    (text) => expect(() => parseWgDump(text)).toThrow(/wg show dump/),
  );
});
