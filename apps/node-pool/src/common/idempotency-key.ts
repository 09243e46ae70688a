import { DomainError } from './domain-error';

const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,128}$/;

/** The `Idempotency-Key` header, checked: 1 to 128 printable ASCII characters, or absent. */
export function idempotencyKeyOf(header: string | undefined): string | undefined {
  if (header !== undefined && !IDEMPOTENCY_KEY.test(header)) {
    throw new DomainError('invalid', 'Idempotency-Key must be 1 to 128 printable characters', {
      field: 'Idempotency-Key',
    });
  }
  return header;
}
