/** API Gateway HTTP API (payload 2.0) events to the plain request the handler takes, and its answer back. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { type HttpRequest, type HttpResponse, MAX_BODY_BYTES } from './types';

export function fromApiGateway(event: APIGatewayProxyEventV2): HttpRequest {
  const body = event.body ? Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8') : Buffer.alloc(0);
  const headers: Record<string, string | undefined> = {};
  for (const [name, value] of Object.entries(event.headers ?? {})) headers[name.toLowerCase()] = value;
  const tooLarge = body.length > MAX_BODY_BYTES;
  return {
    method: event.requestContext?.http?.method ?? 'GET',
    path: event.rawPath || '/',
    query: event.rawQueryString ?? '',
    headers,
    body: tooLarge ? Buffer.alloc(0) : body,
    bodyTooLarge: tooLarge,
    sourceIp: event.requestContext?.http?.sourceIp,
  };
}

export function toApiGateway(response: HttpResponse): APIGatewayProxyStructuredResultV2 {
  return { statusCode: response.status, headers: response.headers, body: response.body, isBase64Encoded: false };
}
