import { type HttpInterceptorFn, HttpErrorResponse } from '@angular/common/http';
import { inject } from '@angular/core';
import { type CanActivateFn, Router } from '@angular/router';
import { catchError, map, of, throwError } from 'rxjs';
import { ConsoleSession } from './console-session';
import { WorkerApi } from './worker-api';

/**
 * Marks API calls as the console's (the worker refuses state-changing requests without it: CSRF),
 * and sends a 401 — an expired or ended session — to sign-in, remembering the page. A refused
 * sign-in is the login page's to show.
 */
export const consoleInterceptor: HttpInterceptorFn = (req, next) => {
  const session = inject(ConsoleSession);
  const router = inject(Router);
  const marked = req.url.startsWith('/api/') ? req.clone({ setHeaders: { 'X-HiveMind-Console': '1' } }) : req;
  return next(marked).pipe(
    catchError((error: unknown) => {
      const signingIn = req.url === '/api/session' && req.method !== 'DELETE';
      if (error instanceof HttpErrorResponse && error.status === 401 && !signingIn && session.signedIn()) {
        session.end();
        const returnUrl = router.url.startsWith('/login') ? undefined : router.url;
        void router.navigate(['/login'], { queryParams: { returnUrl, expired: 1 } });
      }
      return throwError(() => error);
    }),
  );
};

/** Pages behind a sign-in: asks the worker whether the cookie still holds a session. */
export const signedIn: CanActivateFn = (_route, state) => {
  const session = inject(ConsoleSession);
  const router = inject(Router);
  if (session.signedIn()) return true;
  const toLogin = router.createUrlTree(['/login'], { queryParams: { returnUrl: state.url } });
  return inject(WorkerApi)
    .session()
    .pipe(
      map((view) => {
        session.start(view);
        return true;
      }),
      catchError(() => of(toLogin)),
    );
};
