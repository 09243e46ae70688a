import { JwtService } from '@nestjs/jwt';
import { DockerStatus, NodeStatus } from '@hivemind/contracts';
import { type NodePoolConfig } from '../config/node-pool.config';
import { NodeCredentialService } from './node-credential.service';
import { NodeDirectory } from './node-directory';
import { type NodeCredentialRow, type NodesRepository } from './nodes.repository';

const SECRET = 'unit-test-secret-unit-test-secret-0000';
const nowS = () => Math.floor(Date.now() / 1000);
const NODE = { nodeId: '6f1c1f9e-2d7a-4f5e-8a34-0d5b8f6c1a11', ownerId: 'owner-1', name: 'box-1' };

describe(NodeCredentialService.name, () => {
  let rows: Map<string, NodeCredentialRow>;
  let findCredential: jest.Mock<Promise<NodeCredentialRow | undefined>, [string]>;
  let directory: NodeDirectory;
  let credentials: NodeCredentialService;
  const jwt = new JwtService({});
  const config = { auth: { jwtSecret: SECRET, refreshTokenDays: 30 } } as NodePoolConfig;

  beforeEach(() => {
    rows = new Map();
    findCredential = jest.fn((id: string) => Promise.resolve(rows.get(id)));
    // strict: the directory may only ever call findCredential
    directory = new NodeDirectory({ findCredential } as unknown as NodesRepository);
    credentials = new NodeCredentialService(jwt, config, directory);
  });

  /** What registration does: a new credential id stored as the node's hash, then signed. */
  const register = async (ownerActive = true) => {
    const id = credentials.newCredentialId();
    rows.set(NODE.nodeId, {
      credentialHash: id.hash,
      name: NODE.name,
      status: NodeStatus.Online,
      ownerActive,
      creditScore: 50,
      dockerStatus: DockerStatus.Enabled,
    });
    return credentials.sign(NODE, id.jti);
  };
  const refusal = (token: string) =>
    credentials.verifyNodeCredential(token).then(
      () => 'accepted',
      (e: Error) => e,
    );

  it('accepts the credential it issued and names the node', async () => {
    const token = await register();
    await expect(credentials.verifyNodeCredential(token)).resolves.toEqual({
      ...NODE,
      credentialHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });

  it('reads the node once per TTL, not once per heartbeat', async () => {
    const token = await register();
    for (let i = 0; i < 5; i++) await credentials.verifyNodeCredential(token);
    expect(findCredential).toHaveBeenCalledTimes(1);
  });

  it('refuses the previous credential after a re-registration (rotation)', async () => {
    const old = await register();
    await credentials.verifyNodeCredential(old);
    const fresh = await register();
    // another replica rotated it: the newer one is accepted at once (the mismatch forces a re-read)
    await expect(credentials.verifyNodeCredential(fresh)).resolves.toEqual({
      ...NODE,
      credentialHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
    await expect(refusal(old)).resolves.toMatchObject({
      kind: 'unauthenticated',
      message: expect.stringMatching(/node credential revoked/),
    });
  });

  it('costs no query for a long-revoked credential, however often it is sent', async () => {
    const revoked = credentials.newCredentialId();
    const old = await jwt.signAsync(
      {
        typ: 'node',
        sub: NODE.nodeId,
        own: NODE.ownerId,
        name: NODE.name,
        jti: revoked.jti,
        iat: nowS() - 3600,
      },
      { secret: SECRET, expiresIn: 86400 },
    );
    await register();
    for (let i = 0; i < 5; i++) {
      expect(await refusal(old)).toMatchObject({ message: expect.stringMatching(/revoked/) });
    }
    expect(findCredential).toHaveBeenCalledTimes(1);
  });

  it.each([
    ['garbage', () => Promise.resolve('garbage'), /invalid node credential: register the node again/],
    [
      'a user access token',
      () => jwt.signAsync({ sub: NODE.nodeId, typ: 'access', ver: 0 }, { secret: SECRET }),
      /not a node credential/,
    ],
    [
      'another secret',
      () =>
        jwt.signAsync(
          { typ: 'node', sub: NODE.nodeId, own: NODE.ownerId, name: NODE.name, jti: 'x' },
          { secret: `${SECRET}-other` },
        ),
      /invalid node credential/,
    ],
    [
      'an expired credential',
      () =>
        jwt.signAsync(
          { typ: 'node', sub: NODE.nodeId, own: NODE.ownerId, name: NODE.name, jti: 'x' },
          { secret: SECRET, expiresIn: -10 },
        ),
      /node credential expired/,
    ],
  ])('refuses %s as unauthenticated', async (_name, make, message) => {
    await register();
    const error = await refusal(await make());
    expect(error).toMatchObject({ kind: 'unauthenticated', message: expect.stringMatching(message) });
  });

  it('refuses a node that no longer exists', async () => {
    const token = await register();
    rows.clear();
    expect(await refusal(token)).toMatchObject({
      kind: 'unauthenticated',
      message: expect.stringMatching(/no longer registered/),
    });
  });

  it('refuses the node of a disabled owner', async () => {
    const token = await register(false);
    expect(await refusal(token)).toMatchObject({
      kind: 'forbidden',
      message: expect.stringMatching(/disabled/),
    });
  });

  it('does not cache a failed read', async () => {
    const token = await register();
    findCredential.mockRejectedValueOnce(new Error('connection reset'));
    await expect(credentials.verifyNodeCredential(token)).rejects.toThrow('connection reset');
    await expect(credentials.verifyNodeCredential(token)).resolves.toEqual({
      ...NODE,
      credentialHash: expect.stringMatching(/^[0-9a-f]{64}$/),
    });
  });
});
