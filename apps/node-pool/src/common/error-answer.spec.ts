import { BadRequestException, NotFoundException } from '@nestjs/common';
import { status as GrpcStatus } from '@grpc/grpc-js';
import { QueryFailedError } from 'typeorm';
import { DomainError } from './domain-error';
import { errorAnswer, unavailableStore } from './error-answer';

describe(errorAnswer.name, () => {
  it('keeps a refusal: its status, code, message and field', () => {
    const answer = errorAnswer(
      new DomainError('invalid', 'memory_gb must be positive', { field: 'memory_gb' }),
    );
    expect(answer).toEqual({
      status: 400,
      grpcCode: GrpcStatus.INVALID_ARGUMENT,
      message: 'memory_gb must be positive',
      errors: [{ field: 'memory_gb', message: 'memory_gb must be positive' }],
      unexpected: false,
    });
  });

  it('maps a validation failure (Nest BadRequestException) to INVALID_ARGUMENT with its fields', () => {
    const answer = errorAnswer(
      new BadRequestException({
        message: 'cpu_cores must be at most 256',
        errors: [{ field: 'cpu_cores', message: 'cpu_cores must be at most 256' }],
      }),
    );
    expect(answer).toMatchObject({ status: 400, grpcCode: GrpcStatus.INVALID_ARGUMENT, unexpected: false });
    expect(answer.errors).toEqual([{ field: 'cpu_cores', message: 'cpu_cores must be at most 256' }]);
    expect(errorAnswer(new NotFoundException('no route')).grpcCode).toBe(GrpcStatus.NOT_FOUND);
  });

  it.each([
    [{ status: 413, expose: true, type: 'entity.too.large' }, 413, 'the request body is too large'],
    [{ status: 400, expose: true, type: 'entity.parse.failed' }, 400, 'the request body is not valid JSON'],
    [{ status: 400, expose: true, type: 'entity.verify.failed', message: 'too deep' }, 400, 'too deep'],
  ])('answers a body-parser refusal %j with %i', (error, status, message) => {
    expect(errorAnswer(Object.assign(new Error(String(error.type)), error))).toMatchObject({
      status,
      message,
      unexpected: false,
    });
  });

  it.each([
    [
      'a refused connection',
      Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['a lost connection', new Error('Connection terminated unexpectedly')],
    ['a pool timeout', new Error('timeout exceeded when trying to connect')],
    ['an administrator shutdown', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    [
      'a wrapped driver error',
      new QueryFailedError(
        'SELECT 1',
        [],
        Object.assign(new Error('the database system is starting up'), { code: '57P03' }),
      ),
    ],
  ])('answers 503 / UNAVAILABLE with a time to retry for %s', (_, error) => {
    expect(errorAnswer(error)).toEqual({
      status: 503,
      grpcCode: GrpcStatus.UNAVAILABLE,
      message: "the node pool's database is unavailable: try again in 5 s",
      retryAfterS: 5,
      unexpected: false,
    });
  });

  it('names Redis when it is Redis that is down', () => {
    expect(unavailableStore(new Error('Connection is closed.'))).toBe('queue store (Redis)');
  });

  it('leaves anything else unexpected: 500 / INTERNAL without details', () => {
    expect(errorAnswer(new TypeError("Cannot read properties of undefined (reading 'id')"))).toEqual({
      status: 500,
      grpcCode: GrpcStatus.INTERNAL,
      message: 'internal error',
      unexpected: true,
    });
    expect(errorAnswer(new QueryFailedError('SELECT', [], new Error('syntax error'))).unexpected).toBe(true);
  });
});
