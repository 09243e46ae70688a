import { execFileSync, spawnSync } from 'node:child_process';
import { request } from 'node:http';
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
import { type Answer, call, loginAs, newUser, type TestUser } from './support/http';
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

/**
 * One JSON request to the pool's REST API sent from `localAddress`: all of 127.0.0.0/8 is
 * loopback, so a test can be several clients, as the pool's per-address limits see them.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- tests read loosely typed JSON
function callFrom<T = any>(
  pool: TestNodePool,
  localAddress: string,
  method: string,
  path: string,
  options: { token?: string; body?: unknown } = {},
): Promise<Answer<T>> {
  const url = new URL(path, pool.http);
  const payload = options.body === undefined ? undefined : JSON.stringify(options.body);
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: url.hostname,
        port: url.port,
        path: url.pathname + url.search,
        method,
        localAddress,
        headers: {
          ...(payload ? { 'content-type': 'application/json' } : {}),
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
      },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => (text += chunk));
        res.on('end', () => {
          const headers = new Headers();
          for (const [key, value] of Object.entries(res.headers))
            if (typeof value === 'string') headers.set(key, value);
          let body: unknown = text;
          try {
            body = text ? JSON.parse(text) : undefined;
          } catch {
            // not JSON: keep the text
          }
          resolve({ status: res.statusCode ?? 0, body: body as T, headers });
        });
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

describe('WireGuard VPN management', () => {
  let pool: TestNodePool;
  let adminToken: string;
  let dir: string;

  beforeAll(async () => {
    ensureSystemPackages([REQUIREMENTS.wireguard], (line) => process.stderr.write(`[vpn test] ${line}\n`));
    dir = mkdtempSync(join(tmpdir(), 'hivemind-vpn-'));
    // the defaults, as an operator gets them (10.128.0.0/16, quotas, rate limits, the reserve)
    pool = await startTestNodePool({
      ...ADMIN,
      VPN_ENDPOINT: 'vpn.hivemind.test:51820',
      VPN_DNS: '10.128.0.1',
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
    expect(peer.address).toMatch(/^10\.128\.\d+\.\d+$/);

    const [iface, server] = sections(config);
    expect(iface).toEqual({
      name: 'Interface',
      values: { PrivateKey: expect.any(String), Address: `${peer.address}/32`, DNS: '10.128.0.1' },
    });
    expect(wgPubkey(iface.values.PrivateKey)).toBe(peer.public_key);
    const vpn = await call(pool, 'GET', '/api/vpn/server', { token: user.token });
    expect(server).toEqual({
      name: 'Peer',
      values: {
        PublicKey: vpn.body.public_key,
        Endpoint: 'vpn.hivemind.test:51820',
        AllowedIPs: '10.128.0.0/16',
        PersistentKeepalive: '25',
      },
    });
    expect(vpn.body).toMatchObject({ subnet: '10.128.0.0/16', address: '10.128.0.1', dns: ['10.128.0.1'] });
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

  it('lists your peers; admins see everyone’s; nobody else’s peer is visible', async () => {
    const alice = await newUser(pool, 'alice');
    const bob = await newUser(pool, 'bob');
    const admin = { token: adminToken };
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
      // one peer per node at a time
      const second = await createPeer(alice, { node: node.spec.name });
      expect(second.status).toBe(409);
      expect(second.body.message).toBe(
        `node ${node.spec.name} already has a VPN peer (${node.spec.name}): revoke it first to make a new one`,
      );
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
      expect(created.peer).toMatchObject({
        name: 'grpc-box',
        address: expect.stringMatching(/^10\.128\./),
      });
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

  it('stops many throw-away accounts requesting peers from one address long before the subnet fills; an older account and a node owner still get theirs', async () => {
    const attacker = '127.0.0.2';
    const before = await activePeers();
    // the reported attack: 24 fresh accounts asking for 10 peers each, all from one address
    const accounts: TestUser[] = [];
    for (let i = 0; i < 24; i++) accounts.push(await newUser(pool, `burner${i}`));
    const answers: Answer[] = [];
    for (let round = 0; round < 10; round++) {
      for (const account of accounts) {
        answers.push(
          await callFrom(pool, attacker, 'POST', '/api/vpn/peers', { token: account.token, body: {} }),
        );
      }
    }
    const created = answers.filter((a) => a.status === 201);
    // the old pool issued all 240; now the address gets VPN_PEER_RATE_PER_ADDRESS (20) an hour
    expect(created).toHaveLength(20);
    expect(await activePeers()).toBe(before + 20);
    const refused = answers.filter((a) => a.status !== 201);
    expect(refused.map((a) => a.status)).toEqual(Array(220).fill(429));
    for (const answer of refused) {
      expect(answer.body.message).toMatch(
        /^too many VPN peers requested from your address \(20 per 1 h, VPN_PEER_RATE_PER_ADDRESS\): try again in \d+ s$/,
      );
      expect(Number(answer.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    }
    // and no account got more than a new account may hold
    const perAccount = await sql(
      `SELECT user_id, count(*)::int AS n FROM vpn_peers WHERE revoked_at IS NULL AND user_id = ANY($1) GROUP BY user_id`,
      [accounts.map((a) => a.id)],
    );
    expect(Math.max(...perAccount.map((r: { n: number }) => r.n))).toBeLessThanOrEqual(2);

    // a real user elsewhere: an account older than VPN_ESTABLISHED_AFTER_DAYS gets its peers
    const regular = await newUser(pool, 'regular');
    await sql(`UPDATE users SET created_at = now() - interval '30 days' WHERE id = $1`, [regular.id]);
    for (let i = 0; i < 3; i++) {
      const mine = await callFrom(pool, '127.0.0.3', 'POST', '/api/vpn/peers', {
        token: regular.token,
        body: {},
      });
      expect(mine.status).toBe(201);
    }
    // and a new account's worker node gets its peer
    const owner = await newUser(pool, 'nodeowner');
    const node = new SimWorker(pool.grpc, { name: `vpn-owned-${owner.id.slice(0, 6)}` });
    try {
      await node.register(owner.token);
      const nodePeer = await callFrom(pool, '127.0.0.4', 'POST', '/api/vpn/peers', {
        token: owner.token,
        body: { node: node.spec.name },
      });
      expect(nodePeer.status).toBe(201);
      expect(nodePeer.body.peer).toMatchObject({ node_id: node.nodeId, owner: owner.username });
    } finally {
      node.close();
    }
    // the attacker's address stays refused, whatever account it uses
    const again = await callFrom(pool, attacker, 'POST', '/api/vpn/peers', {
      token: regular.token,
      body: {},
    });
    expect(again.status).toBe(429);
  });

  it('gives a new account 2 peers, an established one 10, and counts each user’s requests', async () => {
    const fresh = await newUser(pool, 'fresh');
    const from = '127.0.0.5';
    const ask = (user: TestUser) =>
      callFrom(pool, from, 'POST', '/api/vpn/peers', { token: user.token, body: {} });
    expect((await ask(fresh)).status).toBe(201);
    expect((await ask(fresh)).status).toBe(201);
    const third = await ask(fresh);
    expect(third.status).toBe(409);
    expect(third.body.message).toBe(
      'you have 2 VPN peers, the most a new account may hold (VPN_NEW_ACCOUNT_PEERS); accounts older than 7 days may hold 10: revoke one you no longer use',
    );

    // an admin raising the account's trust makes it established at once
    const raised = await call(pool, 'PATCH', `/api/admin/users/${fresh.id}`, {
      token: adminToken,
      body: { trust_score: 60 },
    });
    expect(raised.status).toBe(200);
    const afterRaise = await ask(fresh);
    expect(afterRaise.status).toBe(201);
    expect(afterRaise.body.peer.name).toBe(`${fresh.username}-3`);
    // 4 requests so far; VPN_PEER_RATE_PER_USER (10 an hour) lets 6 more through
    for (let i = 0; i < 6; i++) expect((await ask(fresh)).status).toBe(201);
    const eleventh = await ask(fresh);
    expect(eleventh.status).toBe(429);
    expect(eleventh.body.message).toMatch(
      /^you requested 10 VPN peers within 1 h, the most allowed \(VPN_PEER_RATE_PER_USER\): try again in \d+ s$/,
    );
    expect(Number(eleventh.headers.get('retry-after'))).toBeGreaterThan(0);
    // over gRPC the same refusal is RESOURCE_EXHAUSTED (the same counters)
    const client = new (loadNodepool().nodepool.VpnService)(
      pool.grpc,
      grpc.credentials.createInsecure(),
      GRPC_CHANNEL_OPTIONS,
    );
    const md = new grpc.Metadata();
    md.set('authorization', `Bearer ${fresh.token}`);
    try {
      await expect(
        new Promise((resolve, reject) =>
          (client as unknown as Record<string, (...a: unknown[]) => void>).CreatePeer.call(
            client,
            {},
            md,
            (error: grpc.ServiceError | null, out: unknown) => (error ? reject(error) : resolve(out)),
          ),
        ),
      ).rejects.toMatchObject({
        code: grpc.status.RESOURCE_EXHAUSTED,
        details: expect.stringMatching(/VPN_PEER_RATE_PER_USER/),
      });
    } finally {
      client.close();
    }
  });
});

describe('WireGuard VPN management: a small subnet filled to its last address', () => {
  let pool: TestNodePool;
  let adminToken: string;
  let dir: string;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'hivemind-vpn-full-'));
    // every account established at once and rate limits out of the way: this is about addresses
    pool = await startTestNodePool({
      ...ADMIN,
      VPN_SUBNET: '10.0.0.0/24',
      VPN_ENDPOINT: 'vpn.hivemind.test:51820',
      VPN_ESTABLISHED_AFTER_DAYS: '0',
      VPN_PEER_RATE_PER_ADDRESS: '100000',
      VPN_PEER_RATE_PER_USER: '1000',
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
  const serverConfigOf = (token: string) =>
    call<string>(pool, 'GET', '/api/admin/vpn/server-config', { token });

  it('gives 200 concurrent requests 200 distinct addresses, keeps the reserve from users, refuses the 254th peer, and reuses an address only after revoke', async () => {
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

    // users fill hosts 2 … 229; the top 10 % (230 … 254) is kept for nodes and admins
    const more: TestUser[] = [];
    for (let i = 0; i < 3; i++) more.push(await newUser(pool, `more${i}`));
    const late = await Promise.all(
      more.flatMap((user) => Array.from({ length: 10 }, () => createPeer(user))),
    );
    expect(late.filter((a) => a.status === 201)).toHaveLength(28);
    const kept = late.filter((a) => a.status !== 201);
    expect(kept.map((a) => a.status)).toEqual([409, 409]);
    expect(kept[0].body.message).toBe(
      'the VPN subnet 10.0.0.0/24 has no free address for this peer: its last 10 % (VPN_RESERVE_PERCENT) is kept for admins and the worker nodes of established accounts; revoke unused peers, or an operator widens VPN_SUBNET',
    );
    const userHosts = (await sql(`SELECT host(address) AS a FROM vpn_peers WHERE revoked_at IS NULL`)).map(
      (r: { a: string }) => Number(r.a.split('.')[3]),
    );
    expect(Math.max(...userHosts)).toBe(229);

    // fill the subnet (admins have no per-user limit and may take the reserve): hosts 2 … 254
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
});
