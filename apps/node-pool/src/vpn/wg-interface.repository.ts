import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
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

  /**
   * Gives the interface the server's private key and port. wg reads the key from a file only (never
   * a command line; /dev/stdin is a socket under Node, which it cannot open): a 0600 file in a 0700
   * folder of its own, removed at once.
   */
  async setServerKey(iface: string, privateKey: string, listenPort: number): Promise<void> {
    const dir = await mkdtemp(join(tmpdir(), 'hivemind-wg-'));
    try {
      const file = join(dir, 'private.key');
      await writeFile(file, `${privateKey}\n`, { mode: 0o600 });
      await wg(['set', iface, 'private-key', file, 'listen-port', String(listenPort)]);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  }
}

function wg(args: string[]): Promise<string> {
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
    child.stdin?.on('error', () => undefined); // wg reads nothing from stdin
    child.stdin?.end();
  });
}
