import { Injectable } from '@nestjs/common';
import Docker from 'dockerode';

/** The only code that talks to the Docker engine (DOCKER_HOST, or the local socket). */
@Injectable()
export class DockerRepository {
  private readonly docker = new Docker();

  /** True when the engine answers within `timeoutMs`. */
  async ping(timeoutMs = 2000): Promise<boolean> {
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        this.docker.ping(),
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
