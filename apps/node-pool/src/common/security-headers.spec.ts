import { HSTS_MAX_AGE_S, securityHeaderOptions } from './security-headers';

describe(securityHeaderOptions.name, () => {
  const directives = (tls: boolean) =>
    (securityHeaderOptions(tls).contentSecurityPolicy as { directives: Record<string, string[]> }).directives;

  it.each([
    ['script-src', ["'self'"]],
    ['script-src-attr', ["'none'"]],
    ['object-src', ["'none'"]],
    ['frame-ancestors', ["'none'"]],
    ['connect-src', ["'self'"]],
    // Angular Material and chart.js set inline styles; Bull Board loads Google's fonts stylesheet
    ['style-src', ["'self'", 'https:', "'unsafe-inline'"]],
    ['img-src', ["'self'", 'data:', 'blob:']],
  ])('%s is %j', (directive, value) => {
    expect(directives(false)[directive]).toEqual(value);
    expect(directives(true)[directive]).toEqual(value);
  });

  it.each([
    [false, false, false],
    [true, { maxAge: HSTS_MAX_AGE_S, includeSubDomains: false }, true],
  ])('over TLS %s: HSTS %j, upgrade-insecure-requests %s', (tls, hsts, upgrade) => {
    expect(securityHeaderOptions(tls).strictTransportSecurity).toEqual(hsts);
    expect('upgrade-insecure-requests' in directives(tls)).toBe(upgrade);
  });
});
