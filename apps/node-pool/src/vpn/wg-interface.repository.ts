import { execFile } from 'node:child_process';
import { Injectable } from '@nestjs/common';
import { parseWgDump, type WgInterfaceState } from '@hivemind/contracts/wireguard';

/** A wg call never waits longer than this (a wedged wireguard-go must not hold the pool). */
const WG_TIMEOUT_MS = 10_000;
/** `wg show dump` of 65,533 peers is ~10 MB. */
const WG_MAX_OUTPUT = 32 * 1024 * 1024;

/**
 * The only code that touches the live WireGuard interface: `wg` run with execFile (no shell), a
 * deadline and bounded output. Arguments come from wg-sync-plan.ts, which checked every key,
 * address and the interface name.
 */
@Injectable()
export class WgInterfaceRepository {
  /** The interface's key, port and peers; rejects when it does not exist or wg is missing. */
  async show(iface: string): Promise<WgInterfaceState> {
    return parseWgDump(await wg(['show', iface, 'dump']));
  }

  /** `wg set <iface> peer … allowed-ips …` / `peer … remove`, as one call. */
  async set(args: string[]): Promise<void> {
    await wg(['set', ...args]);
  }

  /** Gives the interface the server's private key (through stdin: never on a command line) and port. */
  async setServerKey(iface: string, privateKey: string, listenPort: number): Promise<void> {
    await wg(['set', iface, 'private-key', '/dev/stdin', 'listen-port', String(listenPort)], privateKey);
  }
}

function wg(args: string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = execFile(
      'wg',
      args,
      { timeout: WG_TIMEOUT_MS, maxBuffer: WG_MAX_OUTPUT, encoding: 'utf8' },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const why = stderr.trim().split('\n').pop() || error.message;
        reject(new Error(`wg ${args[0]} ${args[1] ?? ''}: ${why}`));
      },
    );
    child.stdin?.end(input === undefined ? '' : `${input}\n`);
  });
}
