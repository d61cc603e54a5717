/** Lambda: the subscription API behind API Gateway's HTTP API: the same handler `serve` runs. */
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { LAMBDA_ENV } from '../env';
import { fromApiGateway, toApiGateway } from '../http/api-gateway';
import type { SubscriptionHandler } from '../http/handler';
import { subscriptionHandler } from '../http/subscription-app';
import { logger, runtimeOnce, secretFrom } from './runtime';

const runtime = runtimeOnce('signing');
let handle: SubscriptionHandler | undefined;
/** What CloudFront presents when it passes a request on (see clientIp); unset: every request is direct. */
let originSecret: string | undefined;

export async function handler(event: APIGatewayProxyEventV2): Promise<APIGatewayProxyStructuredResultV2> {
  if (!handle) {
    try {
      // Both read secrets: side by side, so a cold start waits for one round trip, not two.
      const [{ app, confirmTemplates }, secret] = await Promise.all([
        runtime(),
        secretFrom(process.env, LAMBDA_ENV.originSecretArn),
      ]);
      originSecret = secret;
      handle = subscriptionHandler(app, confirmTemplates, { log: (line, fields) => logger.warn(line, fields ?? {}) });
    } catch (error) {
      // A cold start that cannot read its bundle or secret: tried again on the next request.
      logger.error('subscription API could not start', { error: (error as Error).message });
      return {
        statusCode: 503,
        headers: { 'Content-Type': 'text/plain; charset=utf-8', 'Retry-After': '60', 'Cache-Control': 'no-store' },
        body: 'The sign-up service is not available just now. Nothing was changed: please try again in a minute.',
      };
    }
  }
  const request = fromApiGateway(event, originSecret);
  const response = await handle(request);
  // The path and status only: the query holds tokens, the body an address.
  logger.info('request', { method: request.method, path: request.path, status: response.status });
  return toApiGateway(response);
}
