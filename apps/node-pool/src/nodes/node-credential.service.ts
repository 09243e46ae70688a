import { createHash, randomBytes } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { JwtService } from '@nestjs/jwt';
import type { Metadata } from '@grpc/grpc-js';
import { NodePoolConfig } from '../config/node-pool.config';
import { DomainError } from '../common/domain-error';
import { jwtVerifier } from '../common/jwt-verifier';
import { rpcToken } from '../accounts/auth.guards';
import { NodeDirectory } from './node-directory';

/** Who is calling with a node credential. */
export interface NodeIdentity {
  nodeId: string;
  ownerId: string;
  /** The node's name when the credential was issued (names never change). */
  name: string;
  /** sha256 of the credential's id: what the node's client certificate is bound to. */
  credentialHash?: string;
}

interface NodeClaims {
  typ: 'node';
  /** The node's uuid. */
  sub: string;
  /** The owner's user id. */
  own: string;
  name: string;
  /** This credential's id; `nodes.credential_hash` holds the sha256 of the current one. */
  jti: string;
  iat: number;
  exp: number;
}

/** A new credential's id, and the hash stored for it in `nodes.credential_hash`. */
export interface CredentialId {
  jti: string;
  hash: string;
}

/** How far apart replicas' (and the database's) clocks may be when comparing issue and read times. */
const CLOCK_SLACK_MS = 5_000;

export const NO_CREDENTIAL =
  'no node credential: send "authorization: Bearer <node_credential>" (RegisterWorkerNode returns it)';

const REGISTER_AGAIN = 'register the node again (RegisterWorkerNode with its owner’s token)';

/**
 * Node credentials: what a worker sends (`authorization: Bearer …`) on every call after
 * RegisterWorkerNode. A JWT, HS256 with JWT_SECRET like the users' tokens but of type `node`,
 * so neither kind is accepted in place of the other. Each registration issues a new credential
 * id and stores its hash on the node: re-registering rotates the credential and revokes the
 * previous one. It lives REFRESH_TOKEN_DAYS; a worker registers again when refused.
 *
 * Checking costs a signature (microseconds) and the node's cached row (NodeDirectory), so
 * heartbeats touch no database.
 */
@Injectable()
export class NodeCredentialService {
  private static readonly ALGORITHM = 'HS256' as const;

  private readonly verifier: JwtService;

  constructor(
    private readonly jwt: JwtService,
    private readonly config: NodePoolConfig,
    private readonly directory: NodeDirectory,
  ) {
    this.verifier = jwtVerifier(config.auth.jwtSecret);
  }

  static hashOf(jti: string): string {
    return createHash('sha256').update(jti).digest('hex');
  }

  newCredentialId(): CredentialId {
    const jti = randomBytes(18).toString('base64url');
    return { jti, hash: NodeCredentialService.hashOf(jti) };
  }

  sign(node: NodeIdentity, jti: string): Promise<string> {
    const claims: Omit<NodeClaims, 'iat' | 'exp'> = {
      typ: 'node',
      sub: node.nodeId,
      own: node.ownerId,
      name: node.name,
      jti,
    };
    return this.jwt.signAsync(claims, {
      secret: this.config.auth.jwtSecret,
      algorithm: NodeCredentialService.ALGORITHM,
      expiresIn: Math.round(this.config.auth.refreshTokenDays * 86400),
    });
  }

  /** The node behind a gRPC call's `authorization: Bearer <node_credential>` metadata. */
  authenticate(metadata: Metadata): Promise<NodeIdentity> {
    const token = rpcToken(metadata, undefined);
    if (!token) throw new DomainError('unauthenticated', NO_CREDENTIAL);
    return this.verifyNodeCredential(token);
  }

  /**
   * The node behind a credential: valid signature, type `node`, not expired, the node's current
   * credential, its owner not disabled. Otherwise a DomainError ('unauthenticated'; 'forbidden'
   * for a disabled owner) saying what to do. For any gRPC controller that serves workers (WorkerNodeService.Connect, attempt reports).
   */
  async verifyNodeCredential(token: string): Promise<NodeIdentity> {
    let claims: NodeClaims;
    try {
      claims = await this.verifier.verifyAsync<NodeClaims>(token, {
        algorithms: [NodeCredentialService.ALGORITHM],
      });
    } catch (error) {
      const expired = (error as Error).name === 'TokenExpiredError';
      throw new DomainError(
        'unauthenticated',
        `${expired ? 'node credential expired' : 'invalid node credential'}: ${REGISTER_AGAIN}`,
      );
    }
    if (
      claims.typ !== 'node' ||
      typeof claims.sub !== 'string' ||
      typeof claims.own !== 'string' ||
      typeof claims.jti !== 'string'
    ) {
      throw new DomainError('unauthenticated', `not a node credential: ${REGISTER_AGAIN}`);
    }
    const hash = NodeCredentialService.hashOf(claims.jti);
    let entry = await this.directory.get(claims.sub);
    if (entry?.credentialHash !== hash) {
      // Issued after we cached the node (by another replica)? Then re-read. A credential issued
      // well before our read is simply not the current one: no query for it, however often sent.
      const issuedMs = (Number(claims.iat) + 1) * 1000;
      entry = await this.directory.refreshIfReadBefore(claims.sub, issuedMs + CLOCK_SLACK_MS);
    }
    if (!entry)
      throw new DomainError('unauthenticated', `this node is no longer registered: ${REGISTER_AGAIN}`);
    if (entry.credentialHash !== hash) {
      throw new DomainError(
        'unauthenticated',
        'node credential revoked: the node was registered again since; use the newest credential',
      );
    }
    if (!entry.ownerActive) {
      throw new DomainError('forbidden', 'the node’s owner account is disabled: contact an administrator');
    }
    return { nodeId: claims.sub, ownerId: claims.own, name: claims.name ?? entry.name, credentialHash: hash };
  }
}
