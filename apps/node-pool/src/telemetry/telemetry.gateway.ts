import { type IncomingMessage, type Server } from 'node:http';
import { type Duplex } from 'node:stream';
import { Injectable, Logger, type OnApplicationBootstrap, type OnModuleDestroy } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { type RawData, type WebSocket, WebSocketServer } from 'ws';
import { AccountsService } from '../accounts/accounts.service';
import { type AuthUser } from '../accounts/auth-user';
import { errorBody } from '../common/app-exception.filter';
import { DomainError } from '../common/domain-error';
import { clientAddress, trustFunction, type TrustFunction } from '../common/client-address';
import { errorAnswer, unexpectedLogLine } from '../common/error-answer';
import { upgradeCharges } from '../common/limit-keys';
import { givenOrNewRequestId } from '../common/request-id';
import { RequestLimits } from '../common/request-limits';
import { NodePoolConfig } from '../config/node-pool.config';
import { TelemetryConnection } from './telemetry-connection';
import { errorFrame } from './telemetry-frames';
import { TelemetryHub } from './telemetry-hub';
import {
  chosenProtocol,
  httpErrorBody,
  isCrossOrigin,
  refuseUpgrade,
  tokenExpiresAt,
  upgradeCredential,
  upgradePath,
} from './upgrade-request';

export const TELEMETRY_PATH = '/ws/telemetry';
/** Ping every connection this often; one that has not answered the previous ping is dropped. */
export const HEARTBEAT_MS = 30_000;
/** Check each connection's token against the database this often (revoked, disabled, role). */
export const RECHECK_MS = 60_000;
/** Close code: the token expired or was revoked (log in again, then reconnect). */
export const CLOSE_UNAUTHENTICATED = 4401;
const CLOSE_GOING_AWAY = 1001;
const MAX_MESSAGE_BYTES = 4096;
const SHUTDOWN_GRACE_MS = 1000;
const MAX_TIMER_MS = 2 ** 31 - 1;
/** Each upgrade request's id, for the 101 answer's X-Request-Id. */
const UPGRADE_IDS = new WeakMap<IncomingMessage, string>();

/**
 * /ws/telemetry on the node pool's HTTP port: authenticates the upgrade request (401 without a
 * valid access token), then hands the socket to the TelemetryHub; pings every connection, closes
 * it when its token expires or is revoked, and closes them all when the app closes.
 */
@Injectable()
export class TelemetryGateway implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(TelemetryGateway.name);
  private readonly wss = new WebSocketServer({
    noServer: true,
    maxPayload: MAX_MESSAGE_BYTES,
    handleProtocols: chosenProtocol,
  });
  private readonly trust: TrustFunction;
  private server?: Server;
  private heartbeat?: NodeJS.Timeout;
  private closing = false;

  constructor(
    private readonly adapterHost: HttpAdapterHost,
    private readonly accounts: AccountsService,
    private readonly hub: TelemetryHub,
    private readonly limits: RequestLimits,
    config: NodePoolConfig,
  ) {
    this.trust = trustFunction(config.http.trustProxy);
    // the accepted upgrade's 101 carries its request id too
    this.wss.on('headers', (headers: string[], req: IncomingMessage) => {
      const id = UPGRADE_IDS.get(req);
      if (id) headers.push(`X-Request-Id: ${id}`);
    });
  }

  onApplicationBootstrap(): void {
    this.server = this.adapterHost.httpAdapter?.getHttpServer() as Server | undefined;
    if (!this.server) return;
    this.server.on('upgrade', this.onUpgrade);
    this.heartbeat = setInterval(() => this.beat(), HEARTBEAT_MS);
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    this.server?.off('upgrade', this.onUpgrade);
    clearInterval(this.heartbeat);
    const sockets = [...this.wss.clients];
    const closed = sockets.map((ws) => new Promise((resolve) => ws.once('close', resolve)));
    for (const ws of sockets) ws.close(CLOSE_GOING_AWAY, 'node pool shutting down: reconnect');
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([
      Promise.all(closed),
      new Promise((resolve) => (timer = setTimeout(resolve, SHUTDOWN_GRACE_MS))),
    ]);
    clearTimeout(timer);
    for (const ws of this.wss.clients) ws.terminate();
    await new Promise((resolve) => this.wss.close(resolve));
  }

  private readonly onUpgrade = (req: IncomingMessage, socket: Duplex, head: Buffer): void => {
    if (upgradePath(req) === TELEMETRY_PATH) {
      void this.accept(req, socket, head);
    } else if (this.server?.listenerCount('upgrade') === 1) {
      // nobody else takes WebSockets on this server
      refuseUpgrade(socket, httpErrorBody(404, `no WebSocket here: use ${TELEMETRY_PATH}`));
    }
  };

  private async accept(req: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    socket.on('error', () => socket.destroy());
    const requestId = givenOrNewRequestId(req.headers['x-request-id']);
    UPGRADE_IDS.set(req, requestId);
    try {
      const address = clientAddress(req.socket.remoteAddress, req.headers['x-forwarded-for'], this.trust);
      await this.limits.charge(upgradeCharges(address));
      const credential = upgradeCredential(req);
      if (!credential) {
        throw new DomainError(
          'unauthenticated',
          'not logged in: send "Authorization: Bearer <token>", the subprotocols "hivemind.telemetry.v1" and "hivemind.bearer.<token>", or the hivemind_token cookie',
        );
      }
      if (credential.source === 'cookie' && isCrossOrigin(req)) {
        throw new DomainError(
          'forbidden',
          'a page of another site may not use your cookie: send the token as the "hivemind.bearer.<token>" subprotocol',
        );
      }
      const user = await this.accounts.authenticate(credential.token);
      await this.limits.charge(upgradeCharges(address, { kind: 'user', id: user.id }));
      if (this.closing)
        return refuseUpgrade(socket, httpErrorBody(503, 'node pool shutting down: reconnect'));
      if (socket.destroyed) return;
      this.wss.handleUpgrade(req, socket, head, (ws) => this.open(ws, user, credential.token));
    } catch (error) {
      const answer = errorAnswer(error);
      if (answer.unexpected) this.logger.error(unexpectedLogLine(error, requestId));
      refuseUpgrade(socket, errorBody(answer, requestId), answer.retryAfterS, requestId);
    }
  }

  private open(ws: WebSocket, user: AuthUser, token: string): void {
    const connection = new TelemetryConnection(ws, user, token);
    const expiresAt = tokenExpiresAt(token);
    const expiry =
      expiresAt === undefined
        ? undefined
        : setTimeout(
            () => this.expel(connection, 'token expired: log in again'),
            Math.min(Math.max(expiresAt - Date.now(), 0), MAX_TIMER_MS),
          );
    ws.on('pong', () => (connection.alive = true));
    ws.on('message', (data: RawData, isBinary: boolean) => {
      if (isBinary) return this.hub.send(connection, errorFrame('send JSON text, not binary'));
      this.hub.receive(connection, rawText(data));
    });
    ws.on('error', (error) => this.logger.debug(`telemetry socket of ${user.username}: ${error.message}`));
    ws.on('close', () => {
      clearTimeout(expiry);
      this.hub.remove(connection);
    });
    this.hub.add(connection);
  }

  /** Heartbeat: drops the dead, pings the rest, re-checks tokens that are due. */
  private beat(): void {
    const now = Date.now();
    for (const connection of this.hub.connections) {
      if (!connection.alive) {
        connection.socket.terminate();
        continue;
      }
      connection.alive = false;
      connection.socket.ping();
      if (now - connection.checkedAt >= RECHECK_MS) {
        connection.checkedAt = now;
        void this.recheck(connection);
      }
    }
  }

  private async recheck(connection: TelemetryConnection): Promise<void> {
    try {
      connection.user = await this.accounts.authenticate(connection.token);
    } catch (error) {
      if (error instanceof DomainError) return this.expel(connection, error.message);
      // the database is away: keep the connection, try again at the next check
      this.logger.warn(`could not re-check a telemetry token: ${(error as Error).message}`);
    }
  }

  private expel(connection: TelemetryConnection, reason: string): void {
    this.hub.remove(connection);
    connection.socket.close(CLOSE_UNAUTHENTICATED, reason.slice(0, 120));
  }
}

function rawText(data: RawData): string {
  if (Array.isArray(data)) return Buffer.concat(data).toString('utf8');
  return data instanceof ArrayBuffer ? Buffer.from(data).toString('utf8') : data.toString('utf8');
}
