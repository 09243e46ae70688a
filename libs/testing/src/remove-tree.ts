import { spawnSync } from 'node:child_process';
import { realpathSync, rmSync } from 'node:fs';
import { sep } from 'node:path';

/**
 * Removes a test's scratch folder, first unmounting (lazily) whatever is mounted below it: a worker
 * stopped with tasks running keeps their workspaces mounted (loop file systems, docs/worker.md) for
 * its next start, and `rm` cannot remove a mount point ("Device or resource busy").
 */
export function removeTree(dir: string): void {
  let real: string;
  try {
    real = realpathSync(dir);
  } catch {
    return; // already gone
  }
  const mounts = (spawnSync('findmnt', ['-rn', '-o', 'TARGET']).stdout?.toString() ?? '')
    .split('\n')
    // findmnt -r escapes spaces and other odd characters as \x20 and so on
    .map((line) =>
      line.replace(/\\x([0-9a-f]{2})/gi, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
    )
    .filter((mount) => mount.startsWith(real + sep))
    .sort((a, b) => b.length - a.length);
  for (const mount of mounts) spawnSync('umount', ['-l', mount]);
  rmSync(dir, { recursive: true, force: true });
}
