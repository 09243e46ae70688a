import { execFile } from 'node:child_process';
import { accessSync, constants, existsSync } from 'node:fs';
import { chmod, mkdir, open, readFile, rename, writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import {
  generateKeyPair,
  isWireGuardKey,
  parseWgDump,
  publicKeyOf,
  type WgInterfaceState,
} from '@hivemind/contracts/wireguard';

/** wg-quick up runs wg, ip and (userspace) starts wireguard-go: bounded all the same. */
const WG_QUICK_TIMEOUT_MS = 30_000;
const WG_TIMEOUT_MS = 10_000;

export type Implementation = 'kernel' | 'wireguard-go';

/**
 * The only code of the worker that touches WireGuard and its files: the node's key and config in
 * WORK_DIR/vpn (folder 0700, files 0600), and wg-quick / wg / ip run with execFile (no shell),
 * with deadlines.
 */
export class WireGuardRepository {
  constructor(readonly dir: string) {}

  /**
   * Which WireGuard this machine has: the kernel's when its module is loaded (or built in), else
   * wireguard-go (userspace; needs /dev/net/tun); throws one line naming what to install.
   * A module that is present but not loaded is loaded by wg-quick's `ip link add` — and when that
   * fails wg-quick falls back to wireguard-go, which must then exist.
   */
  implementation(): Implementation {
    for (const tool of ['wg-quick', 'wg', 'ip'])
      if (!onPath(tool))
        throw new Error(
          `${tool} is not installed: apt-get install wireguard-tools iproute2 (VPN_AUTO_JOIN needs them)`,
        );
    if (existsSync('/sys/module/wireguard')) return 'kernel';
    if (!onPath('wireguard-go'))
      throw new Error(
        'this kernel has no WireGuard module loaded and wireguard-go is not installed: apt-get install wireguard-go (or load the module: modprobe wireguard)',
      );
    try {
      accessSync('/dev/net/tun', constants.R_OK | constants.W_OK);
    } catch {
      throw new Error(
        'wireguard-go needs /dev/net/tun, which this machine (or container) does not give this process',
      );
    }
    return 'wireguard-go';
  }

  /** The node's private key, made on the first join (0600); it never leaves this folder. */
  async privateKey(): Promise<{ privateKey: string; publicKey: string }> {
    await this.ensureDir();
    const file = join(this.dir, 'private.key');
    try {
      const privateKey = (await readFile(file, 'utf8')).trim();
      if (isWireGuardKey(privateKey)) return { privateKey, publicKey: publicKeyOf(privateKey) };
      throw new Error(`${file} does not hold a WireGuard private key: remove it to make a new one`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const keys = generateKeyPair();
    const handle = await open(file, 'wx', 0o600); // never over a file something else made meanwhile
    try {
      await handle.writeFile(`${keys.privateKey}\n`);
    } finally {
      await handle.close();
    }
    return keys;
  }

  /** Writes `<dir>/<iface>.conf` (0600) atomically; answers its path. */
  async writeConfig(iface: string, text: string): Promise<string> {
    await this.ensureDir();
    const file = join(this.dir, `${iface}.conf`);
    const temporary = `${file}.${process.pid}.tmp`;
    await writeFile(temporary, text, { mode: 0o600 });
    await chmod(temporary, 0o600); // the umask cannot widen it, an older file's mode does not matter
    await rename(temporary, file);
    return file;
  }

  configPath(iface: string): string {
    return join(this.dir, `${iface}.conf`);
  }

  /** The interface as `wg show` sees it; undefined when it does not exist. */
  async show(iface: string): Promise<WgInterfaceState | undefined> {
    try {
      return parseWgDump(await run('wg', ['show', iface, 'dump'], WG_TIMEOUT_MS));
    } catch {
      return undefined;
    }
  }

  async up(configFile: string, implementation: Implementation): Promise<void> {
    const env: NodeJS.ProcessEnv = { ...process.env };
    // wireguard-go keeps our stdout/stderr (this call's pipes, which would then never close) when
    // LOG_LEVEL is set: the worker's own LOG_LEVEL must not reach it
    delete env.LOG_LEVEL;
    // wg-quick tries the kernel first; this names the userspace fallback it runs when that fails
    if (implementation === 'wireguard-go') env.WG_QUICK_USERSPACE_IMPLEMENTATION = 'wireguard-go';
    await run('wg-quick', ['up', configFile], WG_QUICK_TIMEOUT_MS, env);
  }

  /** Removes the interface (kernel or wireguard-go, which exits with it), with its address and routes. */
  async remove(iface: string): Promise<void> {
    await run('ip', ['link', 'delete', 'dev', iface], WG_TIMEOUT_MS);
  }

  private async ensureDir(): Promise<void> {
    await mkdir(this.dir, { recursive: true, mode: 0o700 });
    await chmod(this.dir, 0o700);
  }
}

function onPath(binary: string): boolean {
  return (process.env.PATH ?? '').split(delimiter).some((dir) => {
    try {
      accessSync(join(dir, binary), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/** Runs a program; rejects with its last line of stderr (wg-quick echoes each command it runs). */
function run(program: string, args: string[], timeoutMs: number, env?: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      program,
      args,
      { timeout: timeoutMs, env, encoding: 'utf8', maxBuffer: 4 * 1024 * 1024 },
      (error, stdout, stderr) => {
        if (!error) return resolve(stdout);
        const lines = stderr.split('\n').filter((l) => l.trim() && !l.startsWith('[#]') && !/[│┌└]/.test(l));
        const why = error.killed
          ? `timed out after ${timeoutMs / 1000} s`
          : (lines.pop()?.trim() ?? error.message);
        reject(new Error(`${program} ${args.slice(0, 2).join(' ')}: ${why}`));
      },
    );
  });
}
