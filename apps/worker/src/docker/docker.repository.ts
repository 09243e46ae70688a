import { Injectable } from '@nestjs/common';
import Docker from 'dockerode';

/** The worker's Docker engine (DOCKER_HOST, or the local socket). */
@Injectable()
export class DockerRepository {
  readonly engine = new Docker();

  /** True when the engine answers within `timeoutMs`. */
  async ping(timeoutMs = 2000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.engine.ping(),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error('timeout')), timeoutMs);
        }),
      ]);
      return true;
    } catch {
      return false;
    } finally {
      clearTimeout(timer);
    }
  }
}
