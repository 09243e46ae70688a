import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { DataSource } from 'typeorm';
import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import { type VpnPeerCreatedView, type VpnPeerView } from '@hivemind/contracts';
import { GRPC_CHANNEL_OPTIONS, loadNodepool } from '@hivemind/contracts/grpc';
import { REQUIREMENTS, ensureSystemPackages } from '@hivemind/local-stack';
import { built, runNode } from '@hivemind/testing';
import { call, loginAs, newUser, type TestUser } from './support/http';
import { SimWorker } from './support/sim-worker';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';

const WRITE_SERVER_CONFIG = 'dist/apps/node-pool/apps/node-pool/src/vpn/write-server-config.js';
const ADMIN = { ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'amber-quartz-lantern-58' };

/** `wg pubkey` of a private key: WireGuard's own derivation. */
function wgPubkey(privateKey: string): string {
  return execFileSync('wg', ['pubkey'], { input: `${privateKey}\n` })
    .toString()
    .trim();
}

/** `wg-quick strip` of a config saved as <dir>/<iface>.conf: what `wg setconf`/`syncconf` reads. */
function wgQuickStrip(dir: string, iface: string, text: string): string {
  const path = join(dir, `${iface}.conf`);
  writeFileSync(path, text, { mode: 0o600 });
  const result = spawnSync('wg-quick', ['strip', path], { encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`wg-quick strip refused ${iface}: ${result.stderr}`);
  return result.stdout;
}

/** The `Key = value` lines of a config's sections, in order. */
function sections(text: string): { name: string; values: Record<string, string> }[] {
  const out: { name: string; values: Record<string, string> }[] = [];
  for (const line of text.split('\n')) {
    const header = /^\[(\w+)\]$/.exec(line.trim());
    if (header) out.push({ name: header[1], values: {} });
    const pair = /^(\w+)\s*=\s*(.+)$/.exec(line.trim());
    if (pair && out.length) out[out.length - 1].values[pair[1]] = pair[2]!;
  }
  return out;
}

/** Every key in a stripped config decodes to 32 bytes, as `wg setconf` requires. */
function expectValidKeys(stripped: string): void {
  for (const [, key] of stripped.matchAll(/^(?:PrivateKey|PublicKey)\s*=\s*(\S+)$/gm)) {
    expect(Buffer.from(key, 'base64')).toHaveLength(32);
    expect(Buffer.from(key, 'base64').toString('base64')).toBe(key);
  }
}

describe('WireGuard VPN management', () => {
  let pool: TestNodePool;
  let adminToken: string;
  let dir: string;

  beforeAll(async () => {
    ensureSystemPackages([REQUIREMENTS.wireguard], (line) => process.stderr.write(`[vpn test] ${line}\n`));
    dir = mkdtempSync(join(tmpdir(), 'hivemind-vpn-'));
    pool = await startTestNodePool({
      ...ADMIN,
      VPN_ENDPOINT: 'vpn.hivemind.test:51820',
      VPN_DNS: '10.0.0.1',
      VPN_MAX_PEERS_PER_USER: '10',
    });
    adminToken = await loginAs(pool, 'root', ADMIN.ADMIN_PASSWORD);
  });
  afterAll(async () => {
    await pool?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read loosely typed rows
  const sql = (text: string, args: unknown[] = []): Promise<any[]> =>
    pool.app.get(DataSource).query(text, args);
  const activePeers = async (): Promise<number> =>
    ((await sql(`SELECT count(*)::int AS n FROM vpn_peers WHERE revoked_at IS NULL`)) as { n: number }[])[0]
      .n;
  const createPeer = (user: { token: string }, body: object = {}) =>
    call<VpnPeerCreatedView & { message: string }>(pool, 'POST', '/api/vpn/peers', {
      token: user.token,
      body,
    });
  const listPeers = (user: { token: string }, query = '') =>
    call<{ items: VpnPeerView[] }>(pool, 'GET', `/api/vpn/peers${query}`, { token: user.token });
  const serverConfigOf = (token: string) =>
    call<string>(pool, 'GET', '/api/admin/vpn/server-config', { token });

  it('issues a peer whose keys WireGuard accepts, with a config wg-quick reads', async () => {
    const user = await newUser(pool, 'vpn');
    const created = await createPeer(user, { name: 'laptop' });
    expect(created.status).toBe(201);
    const { peer, config } = created.body;
    expect(peer).toMatchObject({
      name: 'laptop',
      owner: user.username,
      key_source: 'pool',
      revoked_at: null,
    });
    expect(peer.address).toMatch(/^10\.0\.0\.\d+$/);

    const [iface, server] = sections(config);
    expect(iface).toEqual({
      name: 'Interface',
      values: { PrivateKey: expect.any(String), Address: `${peer.address}/32`, DNS: '10.0.0.1' },
    });
    expect(wgPubkey(iface.values.PrivateKey)).toBe(peer.public_key);
    const vpn = await call(pool, 'GET', '/api/vpn/server', { token: user.token });
    expect(server).toEqual({
      name: 'Peer',
      values: {
        PublicKey: vpn.body.public_key,
        Endpoint: 'vpn.hivemind.test:51820',
        AllowedIPs: '10.0.0.0/24',
        PersistentKeepalive: '25',
      },
    });
    expect(vpn.body).toMatchObject({ subnet: '10.0.0.0/24', address: '10.0.0.1', dns: ['10.0.0.1'] });
    const stripped = wgQuickStrip(dir, 'hmclient0', config);
    expect(stripped).not.toMatch(/Address|DNS/); // wg-quick's own keys are stripped, the rest is wg's
    expect(stripped).toContain(`PrivateKey = ${iface.values.PrivateKey}`);
    expectValidKeys(stripped);

    // the same config downloads as hivemind-<name>.conf, and the private key is sealed at rest
    const download = await fetch(`${pool.http}/api/vpn/peers/${peer.id}/config`, {
      headers: { authorization: `Bearer ${user.token}` },
    });
    expect(download.status).toBe(200);
    expect(download.headers.get('content-disposition')).toBe('attachment; filename=hivemind-laptop.conf');
    expect(download.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await download.text()).toBe(config);
    const [row] = await sql(`SELECT private_key_encrypted FROM vpn_peers WHERE id = $1`, [peer.id]);
    expect(row.private_key_encrypted).not.toContain(iface.values.PrivateKey);
  });

  it('takes a client’s public key: the private key never leaves the client', async () => {
    const user = await newUser(pool, 'ownkey');
    const privateKey = execFileSync('wg', ['genkey']).toString().trim();
    const publicKey = wgPubkey(privateKey);
    const created = await createPeer(user, { name: 'phone', public_key: publicKey });
    expect(created.status).toBe(201);
    expect(created.body.peer).toMatchObject({ public_key: publicKey, key_source: 'client' });
    expect(created.body.config).not.toMatch(/^PrivateKey/m);
    const completed = created.body.config.replace(/^# PrivateKey = .*$/m, `PrivateKey = ${privateKey}`);
    expectValidKeys(wgQuickStrip(dir, 'hmphone0', completed));
    const [row] = await sql(`SELECT private_key_encrypted FROM vpn_peers WHERE id = $1`, [
      created.body.peer.id,
    ]);
    expect(row.private_key_encrypted).toBeNull();

    // the same public key twice is refused; so are malformed keys and names
    expect((await createPeer(user, { public_key: publicKey })).status).toBe(409);
    for (const bad of ['', 'abc', 'A'.repeat(43) + '=', `${publicKey.slice(0, 42)}B=`]) {
      const refused = await createPeer(user, { public_key: bad });
      expect(refused.status).toBe(400);
      expect(refused.body.message).toContain('public_key must be a WireGuard public key');
    }
    const badName = await createPeer(user, { name: 'my laptop/../x' });
    expect(badName.status).toBe(400);
    expect(badName.body.message).toMatch(/name must be 1 to 32 characters/);
  });

  it('gives 200 concurrent requests 200 distinct addresses, refuses the 254th peer, and reuses an address only after revoke', async () => {
    const users: TestUser[] = [];
    for (let i = 0; i < 20; i++) users.push(await newUser(pool, `many${i}`));
    const answers = await Promise.all(
      users.flatMap((user) => Array.from({ length: 10 }, () => createPeer(user))),
    );
    expect(answers.map((a) => a.status)).toEqual(Array(200).fill(201));
    const addresses = answers.map((a) => a.body.peer.address);
    expect(new Set(addresses).size).toBe(200);
    // an 11th peer for one user is over VPN_MAX_PEERS_PER_USER
    const eleventh = await createPeer(users[0]);
    expect(eleventh.status).toBe(409);
    expect(eleventh.body.message).toMatch(/you have 10 VPN peers, the most allowed/);

    // fill the subnet (admins have no per-user limit): hosts 2 … 254
    const admin = { token: adminToken };
    let active = await activePeers();
    while (active < 253) {
      expect((await createPeer(admin)).status).toBe(201);
      active++;
    }
    const full = await createPeer(admin);
    expect(full.status).toBe(409);
    expect(full.body.message).toMatch(/the VPN subnet 10\.0\.0\.0\/24 has no free address/);
    const all = await sql(`SELECT host(address) AS a FROM vpn_peers WHERE revoked_at IS NULL`);
    expect(new Set(all.map((r: { a: string }) => r.a)).size).toBe(253);
    expect(all.map((r: { a: string }) => r.a)).not.toContain('10.0.0.1');

    // revoke one: it leaves the server config, its config is gone (410), its address is reused
    const victim = answers[17].body.peer;
    const revoked = await call(pool, 'DELETE', `/api/vpn/peers/${victim.id}`, { token: users[1].token });
    expect(revoked.status).toBe(200);
    expect(revoked.body.revoked_at).not.toBeNull();
    const gone = await call(pool, 'GET', `/api/vpn/peers/${victim.id}/config`, { token: users[1].token });
    expect(gone.status).toBe(410);
    expect(gone.body.message).toMatch(/was revoked on .*: its config no longer works; create a new peer/);
    const serverConfig = await serverConfigOf(adminToken);
    expect(serverConfig.status).toBe(200);
    expect(serverConfig.body).not.toContain(victim.public_key);
    expect(serverConfig.body).toContain(answers[16].body.peer.public_key);
    expect(serverConfig.body.match(/^\[Peer\]$/gm)).toHaveLength(252);
    const reused = await createPeer(admin, { name: 'reused' });
    expect(reused.status).toBe(201);
    expect(reused.body.peer.address).toBe(victim.address);

    // the server config is one wg accepts: its private key matches the public key clients get
    const stripped = wgQuickStrip(dir, 'hmserver0', serverConfig.body);
    expectValidKeys(stripped);
    const serverPrivate = /^PrivateKey = (\S+)$/m.exec(serverConfig.body)![1];
    const vpn = await call(pool, 'GET', '/api/vpn/server', { token: adminToken });
    expect(wgPubkey(serverPrivate)).toBe(vpn.body.public_key);
    expect(serverConfig.body).toMatch(/^Address = 10\.0\.0\.1\/24$/m);
    expect(serverConfig.body).toMatch(/^ListenPort = 51820$/m);
  });

  it('lists your peers; admins see everyone’s; nobody else’s peer is visible', async () => {
    const alice = await newUser(pool, 'alice');
    const bob = await newUser(pool, 'bob');
    const admin = { token: adminToken };
    // make room first (the previous test filled the subnet)
    const some = await listPeers(admin, '?all=true');
    for (const peer of some.body.items.slice(0, 3)) {
      await call(pool, 'DELETE', `/api/vpn/peers/${peer.id}`, { token: admin.token });
    }
    const peer = (await createPeer(alice, { name: 'desk' })).body.peer;
    const mine = await listPeers(alice);
    expect(mine.body.items.map((p: { id: string }) => p.id)).toEqual([peer.id]);
    expect((await call(pool, 'GET', '/api/vpn/peers', { token: bob.token })).body.items).toEqual([]);
    expect((await call(pool, 'GET', '/api/vpn/peers?all=true', { token: bob.token })).status).toBe(403);
    expect((await call(pool, 'GET', `/api/vpn/peers/${peer.id}/config`, { token: bob.token })).status).toBe(
      404,
    );
    expect((await call(pool, 'DELETE', `/api/vpn/peers/${peer.id}`, { token: bob.token })).status).toBe(404);
    const everyone = await listPeers(admin, '?all=true');
    expect(everyone.body.items.find((p: { id: string }) => p.id === peer.id)).toMatchObject({
      owner: alice.username,
    });
    expect((await call(pool, 'GET', '/api/admin/vpn/server-config', { token: alice.token })).status).toBe(
      403,
    );
    // revoked peers are listed on request only
    await call(pool, 'DELETE', `/api/vpn/peers/${peer.id}`, { token: alice.token });
    expect((await call(pool, 'GET', '/api/vpn/peers', { token: alice.token })).body.items).toEqual([]);
    const history = await call(pool, 'GET', '/api/vpn/peers?include_revoked=true', { token: alice.token });
    expect(history.body.items).toHaveLength(1);
    expect((await call(pool, 'GET', '/api/vpn/peers/not-a-uuid/config', { token: alice.token })).status).toBe(
      404,
    );

    // a node's peer: its owner asks for it by the node's name; it is named after the node
    const node = new SimWorker(pool.grpc, { name: `vpn-node-${alice.id.slice(0, 6)}` });
    try {
      await node.register(alice.token);
      const nodePeer = await createPeer(alice, { node: node.spec.name });
      expect(nodePeer.status).toBe(201);
      expect(nodePeer.body.peer).toMatchObject({
        name: node.spec.name,
        owner: alice.username,
        node_id: node.nodeId,
        node_name: node.spec.name,
      });
      const notYours = await createPeer(bob, { node: node.spec.name });
      expect(notYours.status).toBe(404);
      expect(notYours.body.message).toBe(`no node ${node.spec.name} of yours`);
    } finally {
      node.close();
    }
  });

  it('serves the same over gRPC VpnService, with status codes for refusals', async () => {
    const user = await newUser(pool, 'grpcvpn');
    const client = new (loadNodepool().nodepool.VpnService)(
      pool.grpc,
      grpc.credentials.createInsecure(),
      GRPC_CHANNEL_OPTIONS,
    );
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${user.token}`);
    const unary = <Req, Res>(name: string, req: Req, metadata = md): Promise<Res> =>
      promisify((r: Req, m: grpc.Metadata, cb: (e: grpc.ServiceError | null, out: Res) => void) =>
        (client as unknown as Record<string, (...a: unknown[]) => void>)[name].call(client, r, m, cb),
      )(req, metadata);
    try {
      const created = await unary<
        object,
        { peer: { id: string; name: string; address: string }; config: string }
      >('CreatePeer', { name: 'grpc-box' });
      expect(created.peer).toMatchObject({ name: 'grpc-box', address: expect.stringMatching(/^10\.0\.0\./) });
      const listed = await unary<object, { peers: { id: string }[] }>('ListPeers', {});
      expect(listed.peers.map((p) => p.id)).toEqual([created.peer.id]);
      const config = await unary<object, { config: string; file_name: string }>('GetPeerConfig', {
        peer_id: created.peer.id,
      });
      expect(config).toMatchObject({ config: created.config, file_name: 'hivemind-grpc-box.conf' });
      await unary('RevokePeer', { peer_id: created.peer.id });
      await expect(unary('GetPeerConfig', { peer_id: created.peer.id })).rejects.toMatchObject({
        code: grpc.status.FAILED_PRECONDITION,
      });
      await expect(unary('CreatePeer', { public_key: 'nope' })).rejects.toMatchObject({
        code: grpc.status.INVALID_ARGUMENT,
      });
      await expect(unary('ListPeers', {}, new grpc.Metadata())).rejects.toMatchObject({
        code: grpc.status.UNAUTHENTICATED,
      });
    } finally {
      client.close();
    }
  });

  it('npm run vpn:server-config writes wg0.conf with mode 0600 from the database', async () => {
    const target = join(dir, 'wg0.conf');
    const result = await runNode(built(WRITE_SERVER_CONFIG), [target], {
      NODE_ENV: 'test',
      DATABASE_URL: pool.config.database.url,
      REDIS_URL: pool.config.redis.url,
      JWT_SECRET: pool.config.auth.jwtSecret,
      VPN_ENDPOINT: 'vpn.hivemind.test:51820',
    });
    expect(result.stderr).toMatch(
      /^wrote .*wg0\.conf \(\d+ peers\); apply it: wg syncconf wg0 <\(wg-quick strip /,
    );
    expect(result.code).toBe(0);
    expect(statSync(target).mode & 0o777).toBe(0o600);
    const written = readFileSync(target, 'utf8');
    expectValidKeys(wgQuickStrip(dir, 'hmsync0', written));
    expect(written.match(/^\[Peer\]$/gm)).toHaveLength(await activePeers());
    // a wrong secret is one clear line, not a stack trace
    const wrongSecret = await runNode(built(WRITE_SERVER_CONFIG), [], {
      NODE_ENV: 'test',
      DATABASE_URL: pool.config.database.url,
      REDIS_URL: pool.config.redis.url,
      JWT_SECRET: 'w'.repeat(32),
    });
    expect(wrongSecret.code).toBe(1);
    expect(wrongSecret.stderr.trim()).toBe(
      'vpn:server-config failed: the VPN server key in the database was sealed under another secret: set VPN_KEY_SECRET (or JWT_SECRET) to the one it was made with',
    );
  });
});
