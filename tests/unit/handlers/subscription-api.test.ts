import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { LAMBDA_ENV } from '../../../lambda/env';
import { handler } from '../../../lambda/handlers/subscription-api';

describe('the subscription-api function', () => {
  it('answers 503 in plain words, no stack trace, when its cold start cannot read the bundle', async () => {
    const saved = process.env[LAMBDA_ENV.bundleFile];
    process.env[LAMBDA_ENV.bundleFile] = '/nonexistent/digest-bundle.json';
    try {
      const res = await handler({
        rawPath: '/',
        rawQueryString: '',
        headers: {},
        requestContext: { http: { method: 'GET', sourceIp: '192.0.2.1' } },
        isBase64Encoded: false,
      } as unknown as APIGatewayProxyEventV2);
      expect(res.statusCode).toBe(503);
      expect(res.headers?.['Retry-After']).toBe('60');
      expect(res.body).toMatch(/try again in a minute/);
      expect(res.body).not.toMatch(/nonexistent|Error|at /);
    } finally {
      if (saved === undefined) delete process.env[LAMBDA_ENV.bundleFile];
      else process.env[LAMBDA_ENV.bundleFile] = saved;
    }
  });
});
