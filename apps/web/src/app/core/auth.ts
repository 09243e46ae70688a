import { type HttpInterceptorFn, HttpErrorResponse } from '@angular/common/http';
import { inject } from '@angular/core';
import { type CanActivateFn, Router } from '@angular/router';
import { catchError, throwError } from 'rxjs';
import { SessionStore } from './session.store';

/** Adds the access token to API calls; a 401 ends the session and asks for a sign-in again. */
export const authInterceptor: HttpInterceptorFn = (req, next) => {
  const session = inject(SessionStore);
  const router = inject(Router);
  const token = session.token();
  const authed =
    token && req.url.startsWith('/api/')
      ? req.clone({ setHeaders: { authorization: `Bearer ${token}` } })
      : req;
  return next(authed).pipe(
    catchError((error: unknown) => {
      if (error instanceof HttpErrorResponse && error.status === 401 && !req.url.startsWith('/api/auth/')) {
        session.end();
        void router.navigate(['/login'], { queryParams: { returnUrl: router.url, expired: 1 } });
      }
      return throwError(() => error);
    }),
  );
};

/** Pages behind a sign-in: without a valid session, to /login remembering where the user was going. */
export const signedIn: CanActivateFn = (_route, state) =>
  inject(SessionStore).signedIn() ||
  inject(Router).createUrlTree(['/login'], { queryParams: { returnUrl: state.url } });

/** Admin pages. */
export const adminOnly: CanActivateFn = () =>
  inject(SessionStore).isAdmin() || inject(Router).createUrlTree(['/']);
