/**
 * A plain HTTP request and response: what the subscription handler takes and gives. Each host translates at
 * its edge: `serve` from node's http (node-host.ts), the subscription-api function from API Gateway's HTTP API
 * events (api-gateway.ts). No framework.
 */

/** Bodies over this many bytes get 413: a sign-up or an unsubscribe needs a few dozen, a note of the day (2,000 characters, percent-encoded) up to 18 KB. */
export const MAX_BODY_BYTES = 24 * 1024;

export interface HttpRequest {
  method: string;
  /** The path without the query, percent-encoding as received: `/unsubscribe`. */
  path: string;
  /** The query string without its `?`. */
  query: string;
  /** Header names in lower case. */
  headers: Record<string, string | undefined>;
  /** The body, at most MAX_BODY_BYTES of it (a host stops reading past that and sets `bodyTooLarge`). */
  body: Buffer;
  bodyTooLarge?: boolean;
  /** The client's address, as the host saw it (for the per-IP limit). */
  sourceIp?: string;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
}
