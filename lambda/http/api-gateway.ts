/** API Gateway HTTP API (payload 2.0) events to the plain request the handler takes, and its answer back. */
import { createHash, timingSafeEqual } from 'node:crypto';
import { isIP } from 'node:net';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type HttpRequest, type HttpResponse, MAX_BODY_BYTES } from './types';

/** The header CloudFront adds to every request it passes to the API: the shared origin secret. */
export const ORIGIN_VERIFY_HEADER = 'x-digest-origin-verify';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** `CloudFront-Viewer-Address`: `IP:port`, IPv6 unbracketed (`2001:db8::1:443`) or bracketed. */
export function viewerIp(value: string | undefined): string | undefined {
  const text = value?.trim();
  if (!text) return undefined;
  const cut = text.lastIndexOf(':');
  if (cut <= 0 || !/^\d{1,5}$/.test(text.slice(cut + 1))) return undefined;
  const ip = text.slice(0, cut).replace(/^\[(.*)\]$/, '$1');
  return isIP(ip) ? ip : undefined;
}

/**
 * The client's address. Behind CloudFront the connection comes from an edge server, so the per-IP sign-up
 * limit would count a whole edge as one client: there the viewer's address is in `CloudFront-Viewer-Address`.
 * That header is believed only when the request also carries the origin secret CloudFront adds; anyone who
 * calls the API's own URL directly can write any header, but not the secret, so for them the connection's
 * address counts (which they cannot forge).
 */
export function clientIp(event: APIGatewayProxyEventV2, originSecret?: string): string | undefined {
  return clientIpFrom(lowerCased(event.headers), event.requestContext?.http?.sourceIp, originSecret);
}

const lowerCased = (headers: APIGatewayProxyEventV2['headers'] | undefined) =>
  Object.fromEntries(Object.entries(headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]));

function clientIpFrom(
  headers: Record<string, string | undefined>,
  direct: string | undefined,
  originSecret: string | undefined,
): string | undefined {
  const presented = headers[ORIGIN_VERIFY_HEADER];
  if (!originSecret || presented === undefined) return direct;
  if (!timingSafeEqual(digest(presented), digest(originSecret))) return direct;
  return viewerIp(headers['cloudfront-viewer-address']) ?? direct;
}

export function fromApiGateway(event: APIGatewayProxyEventV2, originSecret?: string): HttpRequest {
  const body = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  const headers = lowerCased(event.headers);
  const sourceIp = clientIpFrom(headers, event.requestContext?.http?.sourceIp, originSecret);
  // The origin secret is not the handler's business (and must never reach a log or a page).
  delete headers[ORIGIN_VERIFY_HEADER];
  const tooLarge = body.length > MAX_BODY_BYTES;
  return {
    method: event.requestContext?.http?.method ?? 'GET',
    path: event.rawPath || '/',
    query: event.rawQueryString ?? '',
    headers,
    body: tooLarge ? Buffer.alloc(0) : body,
    bodyTooLarge: tooLarge,
    sourceIp,
  };
}

export function toApiGateway(response: HttpResponse): APIGatewayProxyStructuredResultV2 {
  return { statusCode: response.status, headers: response.headers, body: response.body, isBase64Encoded: false };
}
