import { type CanActivate, type ExecutionContext, Injectable, createParamDecorator } from '@nestjs/common';
import type { Metadata } from '@grpc/grpc-js';
import type { Request } from 'express';
import { DomainError } from '../common/domain-error';
import { bearerToken } from '../accounts/auth.guards';
import { NodeCertificates } from './node-certificates';
import { NO_CREDENTIAL, type NodeIdentity, NodeCredentialService } from './node-credential.service';

/** gRPC calls have no request object: the calling node is kept beside the call's metadata. */
const rpcNodes = new WeakMap<Metadata, NodeIdentity>();

/**
 * Lets a call through only with a valid node credential (`authorization: Bearer <node_credential>`
 * from RegisterWorkerNode), and attaches the node: `rpcNode(metadata)`, `currentNode(context)` or
 * `@CurrentNode()`. Refusals are UNAUTHENTICATED (PERMISSION_DENIED for a disabled owner), which
 * tells a worker to register again. Works for unary and streaming rpcs alike. On gRPC, the
 * connection's client certificate is checked against the credential too (NodeCertificates).
 */
@Injectable()
export class NodeAuthGuard implements CanActivate {
  constructor(
    private readonly credentials: NodeCredentialService,
    private readonly certificates: NodeCertificates,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const token = bearerToken(context);
    if (!token) {
      throw new DomainError('unauthenticated', NO_CREDENTIAL);
    }
    const node = await this.credentials.verifyNodeCredential(token);
    // gRPC handlers get (request, metadata, call); the call knows the connection's client certificate
    if (context.getType() === 'rpc') this.certificates.verifyPeer(context.getArgByIndex(2), node);
    if (context.getType() === 'rpc') rpcNodes.set(context.switchToRpc().getContext<Metadata>(), node);
    else context.switchToHttp().getRequest<Request & { node?: NodeIdentity }>().node = node;
    return true;
  }
}

/** The node NodeAuthGuard admitted, from an ExecutionContext (gRPC or HTTP). */
export function currentNode(context: ExecutionContext): NodeIdentity {
  const node =
    context.getType() === 'rpc'
      ? rpcNodes.get(context.switchToRpc().getContext<Metadata>())
      : context.switchToHttp().getRequest<Request & { node?: NodeIdentity }>().node;
  if (!node) throw new DomainError('unauthenticated', 'no node credential (NodeAuthGuard missing?)');
  return node;
}

/** The node NodeAuthGuard admitted, in a gRPC handler that takes positional (data, metadata). */
export function rpcNode(metadata: Metadata): NodeIdentity {
  const node = rpcNodes.get(metadata);
  if (!node) throw new DomainError('unauthenticated', 'no node credential (NodeAuthGuard missing?)');
  return node;
}

/**
 * The calling node as a handler parameter. In a gRPC handler, Nest then passes only decorated
 * parameters: take the request with @Payload() (and the metadata with @Ctx()) as well.
 */
export const CurrentNode = createParamDecorator((_: unknown, context: ExecutionContext) =>
  currentNode(context),
);
