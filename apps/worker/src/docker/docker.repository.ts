import { Injectable } from '@nestjs/common';
import Docker from 'dockerode';

/** The worker's Docker engine (DOCKER_HOST, or the local socket). */
@Injectable()
export class DockerRepository {
  readonly engine = new Docker();

  /** True when the engine answers within `timeoutMs`. */
  async ping(timeoutMs = 2000): Promise<boolean> {
    return (
      (await bounded(
        this.engine.ping().then(() => true),
        timeoutMs,
      )) ?? false
    );
  }

  /** The engine's version when it answers within `timeoutMs`, else undefined. */
  async version(timeoutMs = 2000): Promise<string | undefined> {
    return (await bounded(this.engine.version(), timeoutMs))?.Version;
  }
}

/** `call`'s value, or undefined when it fails or takes longer than `timeoutMs`. */
async function bounded<T>(call: Promise<T>, timeoutMs: number): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  try {
    return await Promise.race([
      call,
      new Promise<never>((_, reject) => {
        timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
      }),
    ]);
  } catch {
    return undefined;
  } finally {
    clearTimeout(timer);
  }
}
