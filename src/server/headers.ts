// The security headers of every answer of the daemon's HTTP surface (Hono's secureHeaders): a strict
// Content-Security-Policy (only this origin's own scripts, styles, images and fetches; no inline code,
// no framing, no <base>, forms post only here), nosniff, no Referer, no framing, same-origin opener and
// resource policies, no browser features, and no caching of API answers (they carry tenant data).

import type { MiddlewareHandler } from 'hono';
import { secureHeaders } from 'hono/secure-headers';

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

export function securityHeaders(): MiddlewareHandler {
  const secure = secureHeaders({
    contentSecurityPolicy: {
      defaultSrc: ["'none'"],
      scriptSrc: ["'self'"],
      styleSrc: ["'self'"],
      imgSrc: ["'self'", 'data:'],
      fontSrc: ["'self'"],
      connectSrc: ["'self'"],
      formAction: ["'self'"],
      frameAncestors: ["'none'"],
      baseUri: ["'none'"],
    },
    referrerPolicy: 'no-referrer',
    xFrameOptions: 'DENY',
    crossOriginOpenerPolicy: 'same-origin',
    crossOriginResourcePolicy: 'same-origin',
    permissionsPolicy: { camera: [], microphone: [], geolocation: [], payment: [], usb: [] },
    // HSTS only means something over TLS; the browser ignores it on http:// answers.
    strictTransportSecurity: 'max-age=31536000; includeSubDomains',
  });
  return async (c, next) => {
    await secure(c, async () => {
      await next();
      if (c.req.path.startsWith('/api/')) c.header('Cache-Control', 'no-store');
    });
  };
}
