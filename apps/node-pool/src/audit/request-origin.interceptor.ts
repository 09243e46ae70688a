import { randomUUID } from 'node:crypto';
import { type CallHandler, type ExecutionContext, Injectable, type NestInterceptor } from '@nestjs/common';
import type { Metadata, ServerUnaryCall } from '@grpc/grpc-js';
import type { Request } from 'express';
import { Observable } from 'rxjs';
import { callerIfAny } from '../accounts/auth.guards';
import { peerAddress } from '../common/peer-address';
import { type AuditActor, type RequestOrigin, withOrigin } from './request-origin';

/** A caller's own request id is kept when it is short and plain (as for HTTP's X-Request-Id). */
const PLAIN_ID = /^[\w.:-]{1,128}$/;

/**
 * Keeps each REST request's and rpc's origin for the services it calls, so that
 * `AuditService.record` can say who, from where and under which request id without every service
 * signature carrying it. An interceptor runs after the guards, so the caller is known.
 */
@Injectable()
export class RequestOriginInterceptor implements NestInterceptor {
  intercept(context: ExecutionContext, next: CallHandler): Observable<unknown> {
    const origin = originOf(context);
    return new Observable((subscriber) => withOrigin(origin, () => next.handle().subscribe(subscriber)));
  }
}

function originOf(context: ExecutionContext): RequestOrigin {
  const actor = actorOf(context);
  if (context.getType() === 'rpc') {
    const metadata = context.getArgByIndex<Metadata | undefined>(1);
    const call = context.getArgByIndex<ServerUnaryCall<unknown, unknown> | undefined>(2);
    const given = typeof metadata?.get === 'function' ? metadata.get('x-request-id')[0] : undefined;
    return {
      address: typeof call?.getPeer === 'function' ? peerAddress(call).slice(0, 64) : null,
      requestId: typeof given === 'string' && PLAIN_ID.test(given) ? given : randomUUID(),
      actor,
    };
  }
  if (context.getType() === 'http') {
    const req = context.switchToHttp().getRequest<Request & { id?: unknown }>();
    const address = req.ip ?? req.socket?.remoteAddress ?? null;
    return {
      address: address ? address.slice(0, 64) : null,
      requestId:
        typeof req.id === 'string' || typeof req.id === 'number' ? String(req.id).slice(0, 128) : null,
      actor,
    };
  }
  return { address: null, requestId: null, actor };
}

function actorOf(context: ExecutionContext): AuditActor | null {
  const user = callerIfAny(context);
  return user ? { id: user.id, username: user.username } : null; // else an rpc or route that needs no token
}
