import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** The checkout's root (where nest-cli.json is), from source or from dist/ alike. */
export function repoRoot(from = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'nest-cli.json')) && existsSync(join(dir, 'package.json'))) return dir;
    if (dirname(dir) === dir) throw new Error(`cannot find the HiveMind checkout above ${from}`);
  }
}
