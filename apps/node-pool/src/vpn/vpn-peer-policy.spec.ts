import { UserRole } from '@hivemind/contracts';
import { parseSubnet, type Ipv4Subnet } from '@hivemind/contracts/wireguard';
import {
  type VpnPeerPolicy,
  addressKey,
  devicePeerLimit,
  hostRanges,
  rangesFor,
  standingOf,
} from './vpn-peer-policy';

const POLICY: VpnPeerPolicy = {
  maxPeersPerUser: 10,
  newAccountPeers: 2,
  establishedAfterDays: 7,
  reservePercent: 10,
};
const NOW = new Date('2026-06-15T12:00:00Z');
const daysAgo = (days: number): Date => new Date(NOW.getTime() - days * 24 * 3600 * 1000);
const subnet = (cidr: string): Ipv4Subnet => parseSubnet(cidr) as Ipv4Subnet;

describe(standingOf.name, () => {
  it.each([
    ['an admin, however new', UserRole.Admin, 50, 0, 'admin'],
    ['a user made just now at the default trust', UserRole.User, 50, 0, 'new'],
    ['a user of 6.9 days', UserRole.User, 50, 6.9, 'new'],
    ['a user of 7 days', UserRole.User, 50, 7, 'established'],
    ['a new user whose trust an admin raised', UserRole.User, 51, 0, 'established'],
    ['an old user whose trust an admin lowered', UserRole.User, 10, 400, 'established'],
  ] as const)('%s: %s', (_what, role, trustScore, age, expected) => {
    expect(standingOf({ role, trustScore, createdAt: daysAgo(age) }, POLICY, NOW)).toBe(expected);
  });
});

describe(devicePeerLimit.name, () => {
  it.each([
    ['admin', POLICY, Infinity],
    ['established', POLICY, 10],
    ['new', POLICY, 2],
    ['new', { ...POLICY, newAccountPeers: 50 }, 10], // never more than an established account
    ['new', { ...POLICY, newAccountPeers: 0 }, 0],
  ] as const)('%s under %j: %s', (standing, policy, expected) => {
    expect(devicePeerLimit(standing, policy)).toBe(expected);
  });
});

describe(hostRanges.name, () => {
  it.each([
    // hosts 2 … 254 (253); 10 % is 25 hosts
    ['10.0.0.0/24', 10, { general: { first: 2, last: 229 }, reserve: { first: 230, last: 254 } }],
    ['10.0.0.0/24', 0, { general: { first: 2, last: 254 } }],
    // 65,533 hosts; 10 % is 6,553
    ['10.128.0.0/16', 10, { general: { first: 2, last: 58981 }, reserve: { first: 58982, last: 65534 } }],
    ['10.0.0.0/28', 10, { general: { first: 2, last: 13 }, reserve: { first: 14, last: 14 } }],
    // one host: users keep it
    ['10.0.0.0/30', 90, { general: { first: 2, last: 2 } }],
    ['10.0.0.0/29', 90, { general: { first: 2, last: 2 }, reserve: { first: 3, last: 6 } }],
  ])('%s with %i %% reserved', (cidr, percent, expected) => {
    expect(hostRanges(subnet(cidr), percent)).toEqual(expected);
  });
});

describe(rangesFor.name, () => {
  const ranges = hostRanges(subnet('10.0.0.0/24'), 10);
  it.each([
    ['new', false, [ranges.general]],
    ['established', false, [ranges.general]],
    ['new', true, [ranges.general]],
    ['established', true, [ranges.general, ranges.reserve]],
    ['admin', false, [ranges.general, ranges.reserve]],
  ] as const)('%s, for a node: %s', (standing, forNode, expected) => {
    expect(rangesFor(ranges, { standing, forNode })).toEqual(expected);
  });
  it('has only the general range without a reserve', () => {
    expect(
      rangesFor(hostRanges(subnet('10.0.0.0/24'), 0), { standing: 'admin', forNode: true }),
    ).toHaveLength(1);
  });
});

describe(addressKey.name, () => {
  it.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['::FFFF:127.0.0.1', '127.0.0.1'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2::99', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002:ffff::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['64:ff9b::192.0.2.1', '64:ff9b:0:0::/64'],
    ['', 'unknown'],
    ['not an address', 'unknown'],
  ])('%j counts as %j', (address, expected) => {
    expect(addressKey(address)).toBe(expected);
  });
});
