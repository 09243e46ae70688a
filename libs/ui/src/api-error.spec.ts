// @angular/common/http's classes are partially compiled: the JIT compiler finishes them in tests.
import '@angular/compiler';
import { HttpErrorResponse } from '@angular/common/http';
import { apiError } from './api-error';

describe(apiError.name, () => {
  it("takes the message and the first error of each field from the pool's error body", () => {
    const error = new HttpErrorResponse({
      status: 400,
      error: {
        message: 'password is too weak',
        errors: [
          { field: 'password', message: 'password is too weak' },
          { field: 'password', message: 'second' },
          { message: 'no field' },
        ],
      },
    });
    expect(apiError(error)).toEqual({
      message: 'password is too weak',
      fields: { password: 'password is too weak' },
    });
  });

  it('says the pool cannot be reached when there is no answer', () => {
    expect(apiError(new HttpErrorResponse({ status: 0 })).message).toMatch(/cannot be reached/);
  });

  it('falls back to the status when the body says nothing', () => {
    expect(apiError(new HttpErrorResponse({ status: 502, statusText: 'Bad Gateway' })).message).toBe(
      'The request failed (502 Bad Gateway).',
    );
  });

  it("reads the worker's { error } body, and names the server that did not answer", () => {
    const refused = new HttpErrorResponse({
      status: 403,
      error: { error: 'mallory does not own this node' },
    });
    expect(apiError(refused, 'The worker')).toEqual({
      message: 'mallory does not own this node',
      fields: {},
    });
    const bad = new HttpErrorResponse({ status: 400, error: { error: 'otp is too long', field: 'otp' } });
    expect(apiError(bad, 'The worker')).toEqual({
      message: 'otp is too long',
      fields: { otp: 'otp is too long' },
    });
    expect(apiError(new HttpErrorResponse({ status: 0 }), 'The worker').message).toBe(
      'The worker cannot be reached. Check your connection.',
    );
  });
});
