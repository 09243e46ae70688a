import { join } from 'node:path';
import { promisify } from 'node:util';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import {
  GRPC_CHANNEL_OPTIONS,
  type GetBalanceResponse__Output,
  type LoginResponse__Output,
  type TransferResponse__Output,
  type UserServiceClient,
  type WhoAmIResponse__Output,
  loadNodepool,
} from '@hivemind/contracts/grpc';
import { STRONG_PASSWORD } from './support/http';
import { craftJwt, jwtClaims } from './support/jwt';
import { startTestNodePool, type TestNodePool } from './support/test-node-pool';

type Unary = (request: object, ...rest: unknown[]) => unknown;
type SeedAnswer = { success: boolean; message: string; token?: string; balance?: number };

/** A client that knows only the seed's messages (fixtures/seed-user-service.proto), plain options. */
function seedClient(address: string) {
  const definition = protoLoader.loadSync(join(__dirname, 'fixtures', 'seed-user-service.proto'), {
    keepCase: true, // field names as the seed writes them, like Python's generated stubs
    longs: Number,
    defaults: true,
  });
  const pkg = grpc.loadPackageDefinition(definition) as unknown as {
    nodepool: { UserService: new (address: string, credentials: grpc.ChannelCredentials) => grpc.Client };
  };
  const client = new pkg.nodepool.UserService(
    address,
    grpc.credentials.createInsecure(),
  ) as unknown as Record<string, Unary> & grpc.Client;
  const call =
    (name: string) =>
    (request: object, metadata = new grpc.Metadata()): Promise<SeedAnswer> =>
      promisify((req: object, md: grpc.Metadata, cb: (e: Error | null, r: SeedAnswer) => void) =>
        client[name].call(client, req, md, cb),
      )(request, metadata);
  return {
    client,
    login: call('Login'),
    register: call('Register'),
    transfer: call('Transfer'),
    getBalance: call('GetBalance'),
  };
}

describe('gRPC UserService', () => {
  let pool: TestNodePool;
  let seed: ReturnType<typeof seedClient>;

  beforeAll(async () => {
    pool = await startTestNodePool({ ADMIN_USERNAME: 'root', ADMIN_PASSWORD: 'amber-quartz-lantern-58' });
    seed = seedClient(pool.grpc);
  });
  afterAll(async () => {
    seed?.client.close();
    await pool?.close();
  });

  describe('a client written only from the seed’s messages', () => {
    it('registers, logs in, reads its balance and transfers', async () => {
      expect(await seed.register({ username: 'Grace', password: STRONG_PASSWORD })).toEqual({
        success: true,
        message: 'registered grace',
      });
      expect((await seed.register({ username: 'henry', password: STRONG_PASSWORD })).success).toBe(true);

      const login = await seed.login({ username: 'grace', password: STRONG_PASSWORD });
      expect(login).toMatchObject({ success: true, message: 'logged in as grace' });
      expect(login.token).toMatch(/^ey/);

      const balance = await seed.getBalance({ username: 'grace', token: login.token });
      expect(balance).toEqual({ success: true, message: '', balance: 1000 });

      const sent = await seed.transfer({ token: login.token, receiver_username: 'henry', amount: 150 });
      expect(sent).toEqual({ success: true, message: 'transferred 150 CPT to henry' });
      expect((await seed.getBalance({ username: 'grace', token: login.token })).balance).toBe(850);
      const henry = await seed.login({ username: 'henry', password: STRONG_PASSWORD });
      expect((await seed.getBalance({ username: 'henry', token: henry.token })).balance).toBe(1150);
    });

    it('also takes the token as `authorization: Bearer` metadata', async () => {
      const { token } = await seed.login({ username: 'grace', password: STRONG_PASSWORD });
      const metadata = new grpc.Metadata();
      metadata.set('authorization', `Bearer ${token}`);
      expect(await seed.getBalance({ username: '' }, metadata)).toMatchObject({ success: true });
    });

    it.each([
      ['a short password', { username: 'ivy', password: 'short' }, /at least 10 characters/],
      ['a weak password', { username: 'ivy', password: 'password1234' }, /too weak/],
      ['a bad username', { username: 'i', password: STRONG_PASSWORD }, /username must be 3 to 32/],
      ['a taken username', { username: 'GRACE', password: STRONG_PASSWORD }, /the username grace is taken/],
    ])('answers Register with %s as success: false and a reason', async (_n, request, reason) => {
      const answer = await seed.register(request);
      expect(answer.success).toBe(false);
      expect(answer.message).toMatch(reason);
    });

    it('answers a wrong password and an unknown user alike', async () => {
      const wrong = await seed.login({ username: 'grace', password: 'not-her-password' });
      const unknown = await seed.login({ username: 'nobody-here', password: 'not-her-password' });
      expect(wrong).toEqual({ success: false, message: 'invalid username or password', token: '' });
      expect(unknown).toEqual(wrong);
    });

    it('refuses missing, forged, alg:none and expired tokens with success: false, never a crash', async () => {
      const { token } = await seed.login({ username: 'grace', password: STRONG_PASSWORD });
      const claims = jwtClaims(token!);
      const hs256 = { alg: 'HS256', typ: 'JWT' };
      const forged = craftJwt(hs256, claims, 'wrong-secret-wrong-secret-wrong-secret');
      const none = craftJwt({ alg: 'none', typ: 'JWT' }, { ...claims, role: 'admin' });
      const expired = craftJwt(
        hs256,
        { ...claims, exp: Math.floor(Date.now() / 1000) - 5 },
        pool.config.auth.jwtSecret,
      );
      for (const [bad, reason] of [
        ['', /not logged in/],
        ['garbage', /invalid token/],
        [forged, /invalid token/],
        [none, /invalid token/],
        [expired, /token expired/],
      ] as const) {
        const balance = await seed.getBalance({ username: 'grace', token: bad });
        expect(balance).toMatchObject({ success: false, balance: 0 });
        expect(balance.message).toMatch(reason);
        const transfer = await seed.transfer({ token: bad, receiver_username: 'henry', amount: 1 });
        expect(transfer.success).toBe(false);
      }
    });

    it.each([
      ['to self', 'grace', 5, /yourself/],
      ['to an unknown user', 'nobody-here', 5, /no user named nobody-here/],
      ['of zero', 'henry', 0, /positive whole number/],
      ['of a negative amount', 'henry', -5, /positive whole number/],
      ['beyond the balance', 'henry', 10_000, /insufficient balance/],
    ])('refuses a transfer %s with success: false', async (_n, receiver, amount, reason) => {
      const { token } = await seed.login({ username: 'grace', password: STRONG_PASSWORD });
      const before = (await seed.getBalance({ username: 'grace', token })).balance;
      const answer = await seed.transfer({ token, receiver_username: receiver, amount });
      expect(answer.success).toBe(false);
      expect(answer.message).toMatch(reason);
      expect((await seed.getBalance({ username: 'grace', token })).balance).toBe(before);
    });

    it('shows another user’s balance to admins only', async () => {
      const { token } = await seed.login({ username: 'grace', password: STRONG_PASSWORD });
      const refused = await seed.getBalance({ username: 'henry', token });
      expect(refused).toMatchObject({ success: false, message: expect.stringMatching(/only admins/) });
      const admin = await seed.login({ username: 'root', password: 'amber-quartz-lantern-58' });
      expect(await seed.getBalance({ username: 'henry', token: admin.token })).toMatchObject({
        success: true,
      });
    });
  });

  describe('the additions (our own proto)', () => {
    let client: UserServiceClient;
    beforeAll(() => {
      client = new (loadNodepool().nodepool.UserService)(
        pool.grpc,
        grpc.credentials.createInsecure(),
        GRPC_CHANNEL_OPTIONS,
      );
    });
    afterAll(() => client?.close());

    type Callback<Res> = (error: grpc.ServiceError | null, res?: Res) => void;
    const unary = <Res>(
      name: 'Login' | 'RefreshToken' | 'WhoAmI' | 'Transfer' | 'GetBalance',
      req: object,
      token?: string,
    ) => {
      const metadata = new grpc.Metadata();
      if (token) metadata.set('authorization', `Bearer ${token}`);
      const method = client[name] as unknown as (r: object, m: grpc.Metadata, cb: Callback<Res>) => unknown;
      return new Promise<Res>((resolve, reject) =>
        method.call(client, req, metadata, (error: grpc.ServiceError | null, res?: Res) =>
          error ? reject(error) : resolve(res!),
        ),
      );
    };

    it('Login returns a refresh token and the user; RefreshToken exchanges it', async () => {
      const login = await unary<LoginResponse__Output>('Login', {
        username: 'grace',
        password: STRONG_PASSWORD,
      });
      expect(login).toMatchObject({
        success: true,
        user: { username: 'grace', role: 'user', trust_score: 50 },
      });
      const refreshed = await unary<LoginResponse__Output>('RefreshToken', {
        refresh_token: login.refresh_token,
      });
      expect(refreshed.success).toBe(true);
      expect(
        (await unary<LoginResponse__Output>('RefreshToken', { refresh_token: login.token })).success,
      ).toBe(false);
    });

    it('WhoAmI is guarded: UNAUTHENTICATED without a valid token', async () => {
      await expect(unary<WhoAmIResponse__Output>('WhoAmI', {})).rejects.toMatchObject({
        code: grpc.status.UNAUTHENTICATED,
      });
      await expect(unary<WhoAmIResponse__Output>('WhoAmI', {}, 'garbage')).rejects.toMatchObject({
        code: grpc.status.UNAUTHENTICATED,
        details: 'invalid token: log in again',
      });
      const { token } = await unary<LoginResponse__Output>('Login', {
        username: 'henry',
        password: STRONG_PASSWORD,
      });
      expect(await unary<WhoAmIResponse__Output>('WhoAmI', {}, token)).toMatchObject({
        success: true,
        user: { username: 'henry' },
      });
      expect(await unary<WhoAmIResponse__Output>('WhoAmI', { token })).toMatchObject({
        success: true,
        user: { username: 'henry' },
      });
    });

    it('Transfer with an idempotency_key moves the CPT once', async () => {
      const { token } = await unary<LoginResponse__Output>('Login', {
        username: 'henry',
        password: STRONG_PASSWORD,
      });
      const request = { token, receiver_username: 'grace', amount: '10', idempotency_key: 'grpc-1' };
      const first = await unary<TransferResponse__Output>('Transfer', request);
      const again = await unary<TransferResponse__Output>('Transfer', request);
      expect(first.success && again.success).toBe(true);
      expect(again.transaction_id).toBe(first.transaction_id);
      expect(again.balance).toBe(first.balance);
      const balance = await unary<GetBalanceResponse__Output>('GetBalance', { username: '' }, token);
      expect(balance).toMatchObject({ success: true, available: first.balance, held: '0' });
    });
  });
});
