import { Injectable } from '@nestjs/common';
import * as argon2 from 'argon2';

/**
 * argon2id (memory-hard) password hashes in PHC string format. `dummyVerify` spends the same time
 * as a real check so that a login for an unknown username is not faster than a wrong password.
 */
@Injectable()
export class PasswordHasher {
  private readonly options = {
    type: argon2.argon2id,
    memoryCost: 19456,
    timeCost: 2,
    parallelism: 1,
  } as const;
  private dummyHash?: Promise<string>;

  hash(password: string): Promise<string> {
    return argon2.hash(password, this.options);
  }

  async verify(hash: string, password: string): Promise<boolean> {
    try {
      return await argon2.verify(hash, password);
    } catch {
      return false; // a malformed stored hash never lets anyone in
    }
  }

  async dummyVerify(password: string): Promise<false> {
    this.dummyHash ??= this.hash('hivemind-dummy-password');
    await this.verify(await this.dummyHash, password);
    return false;
  }
}
