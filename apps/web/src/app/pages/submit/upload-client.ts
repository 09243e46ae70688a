import { HttpClient, HttpXhrBackend } from '@angular/common/http';
import { EnvironmentInjector, Injectable, inject, runInInjectionContext } from '@angular/core';
import { authInterceptor } from '../../core/auth';

/**
 * An HttpClient for uploads that report their progress. The console's HttpClient uses fetch, which
 * cannot tell how much of a request body has been sent; this one goes over XMLHttpRequest, through
 * the same auth interceptor (the Bearer token, a 401 ends the session).
 */
@Injectable({ providedIn: 'root' })
export class UploadClient extends HttpClient {
  constructor() {
    const injector = inject(EnvironmentInjector);
    const xhr = inject(HttpXhrBackend);
    super({
      handle: (req) => runInInjectionContext(injector, () => authInterceptor(req, (r) => xhr.handle(r))),
    });
  }
}
