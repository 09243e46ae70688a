import { type WgInterfaceState } from '@hivemind/contracts/wireguard';
import { STALE_HANDSHAKE_S, initialVpnState, nextVpnState, type VpnState, watchdogAction } from './vpn-state';

const T0 = new Date('2026-12-06T00:00:00Z');
const at = (s: number) => new Date(T0.getTime() + s * 1000);
const KEY = 'K'.repeat(43) + '=';
const up = (): VpnState =>
  nextVpnState(
    initialVpnState(true, 'hm0', T0),
    { kind: 'up', address: '10.128.0.7', poolAddress: '10.128.0.1:50051', implementation: 'wireguard-go' },
    T0,
  );
const seen = (handshakeS: number, publicKey = KEY): WgInterfaceState => ({
  publicKey,
  listenPort: 0,
  peers: [{ publicKey: 'S'.repeat(43) + '=', allowedIps: ['10.128.0.0/16'], latestHandshake: handshakeS }],
});
const nowS = (s: number) => at(s).getTime() / 1000;

describe(nextVpnState.name, () => {
  it('goes joining → up → down → up, keeping the address while down', () => {
    const down = nextVpnState(up(), { kind: 'dropped', error: 'the interface hm0 is gone' }, at(5));
    expect(down).toMatchObject({ state: 'down', address: '10.128.0.7', error: 'the interface hm0 is gone' });
    expect(
      nextVpnState(
        down,
        { kind: 'up', address: '10.128.0.7', poolAddress: '10.128.0.1:50051', implementation: 'kernel' },
        at(6),
      ),
    ).toMatchObject({
      state: 'up',
      error: null,
      implementation: 'kernel',
    });
  });

  it('forgets the address on a failed join and on leaving', () => {
    expect(nextVpnState(up(), { kind: 'failed', error: 'login refused' }, at(1))).toMatchObject({
      state: 'error',
      address: null,
      pool_address: null,
      error: 'login refused',
    });
    expect(nextVpnState(up(), { kind: 'left' }, at(1))).toMatchObject({ state: 'down', address: null });
  });

  it('stays disabled without VPN_AUTO_JOIN', () => {
    const off = initialVpnState(false, 'hm0', T0);
    expect(off).toMatchObject({ state: 'disabled', interface: null });
    expect(nextVpnState(off, { kind: 'failed', error: 'x' }, at(1))).toBe(off);
  });
});

describe(watchdogAction.name, () => {
  it('leaves a live tunnel alone', () => {
    expect(watchdogAction(up(), seen(nowS(300)), { publicKey: KEY }, nowS(310))).toEqual({ kind: 'ok' });
  });

  it('brings a vanished interface, or one with another key, back', () => {
    expect(watchdogAction(up(), undefined, { publicKey: KEY }, nowS(10)).kind).toBe('restore');
    expect(watchdogAction(up(), seen(nowS(5), 'X'.repeat(43) + '='), { publicKey: KEY }, nowS(10)).kind).toBe(
      'restore',
    );
  });

  it('asks the pool again after a failed join', () => {
    const failed = nextVpnState(up(), { kind: 'failed', error: 'pool unreachable' }, at(1));
    expect(watchdogAction(failed, undefined, { publicKey: KEY }, nowS(30))).toEqual({
      kind: 'rejoin',
      why: 'pool unreachable',
    });
  });

  it(`asks the pool again when no handshake came for ${STALE_HANDSHAKE_S} s (a revoked peer), not before`, () => {
    expect(watchdogAction(up(), seen(0), { publicKey: KEY }, nowS(STALE_HANDSHAKE_S - 1)).kind).toBe('ok');
    expect(watchdogAction(up(), seen(0), { publicKey: KEY }, nowS(STALE_HANDSHAKE_S + 1))).toEqual({
      kind: 'rejoin',
      why: `no handshake with the VPN server in ${STALE_HANDSHAKE_S + 1} s`,
    });
    expect(watchdogAction(up(), seen(nowS(10)), { publicKey: KEY }, nowS(400)).kind).toBe('rejoin');
  });

  it('does nothing while joining or disabled', () => {
    expect(
      watchdogAction(initialVpnState(true, 'hm0', T0), undefined, { publicKey: KEY }, nowS(999)).kind,
    ).toBe('ok');
    expect(
      watchdogAction(initialVpnState(false, 'hm0', T0), undefined, { publicKey: KEY }, nowS(999)).kind,
    ).toBe('ok');
  });
});
