/**
 * The security headers of every archive response (issue pages, the index, the feeds, the stylesheet, the
 * signup page the archive keeps at its root), one set for both hosts of the archive: `serve` sends it on
 * each response from out/site/ (static-site.ts), and on AWS the CloudFront distribution's response headers
 * policy sets the same values (infra/site.ts reads this constant). The subscription API's own pages send
 * these too, with their stricter policy (handler.ts: API_HEADERS).
 *
 * The policy is what every archive page can keep, and no more: nothing runs, nothing is fetched but the
 * site's own stylesheet (and images), the static signup page's one inline style by its hash and its form
 * posting back to the site, no framing by anyone. A page's own meta policy (SITE_CSP, or the signup page's)
 * applies as well, and a browser enforces both, so each page is held to the stricter of the two.
 */
import { STYLE_HASH } from '../render/subscription-pages';

export const ARCHIVE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  `style-src 'self' '${STYLE_HASH}'`,
  "img-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

export const SECURITY_HEADERS = {
  'Content-Security-Policy': ARCHIVE_CONTENT_SECURITY_POLICY,
  'X-Frame-Options': 'DENY',
  'X-Content-Type-Options': 'nosniff',
  // Tokens are in the URLs of the API's pages, and no page needs to tell another site where a reader came from.
  'Referrer-Policy': 'no-referrer',
} as const;
