import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { clientIp, fromApiGateway, ORIGIN_VERIFY_HEADER, viewerIp } from '../../../lambda/http/api-gateway';

const SECRET = 'origin-secret-origin-secret-origin-secret-00';

/** An HTTP API (payload 2.0) event as API Gateway sends it, with the connection's address and some headers. */
const event = (sourceIp: string, headers: Record<string, string> = {}): APIGatewayProxyEventV2 =>
  ({
    version: '2.0',
    rawPath: '/subscribe',
    rawQueryString: '',
    headers: { 'content-type': 'application/x-www-form-urlencoded', ...headers },
    requestContext: { http: { method: 'POST', sourceIp, path: '/subscribe' } },
    body: 'email=a%40example.com',
    isBase64Encoded: false,
  }) as unknown as APIGatewayProxyEventV2;

describe('the client address behind CloudFront', () => {
  it('reads CloudFront-Viewer-Address in both forms CloudFront writes, and nothing else', () => {
    expect(viewerIp('203.0.113.9:46532')).toBe('203.0.113.9');
    expect(viewerIp('2001:db8:1::7:443')).toBe('2001:db8:1::7');
    expect(viewerIp('[2001:db8::1]:443')).toBe('2001:db8::1');
    for (const bad of ['', '203.0.113.9', 'example.com:443', '203.0.113.9:port', ':443', undefined]) {
      expect(viewerIp(bad)).toBeUndefined();
    }
  });

  it('believes the viewer address only from a request that carries the origin secret', () => {
    const edge = '130.176.0.10';
    const viaCloudFront = event(edge, {
      [ORIGIN_VERIFY_HEADER]: SECRET,
      'CloudFront-Viewer-Address': '198.51.100.7:5000',
    });
    expect(clientIp(viaCloudFront, SECRET)).toBe('198.51.100.7');
    // Straight to the API's own URL with a made-up viewer address: the connection's address counts.
    const forged = event('192.0.2.66', { 'cloudfront-viewer-address': '198.51.100.7:5000' });
    expect(clientIp(forged, SECRET)).toBe('192.0.2.66');
    const wrongSecret = event('192.0.2.66', {
      [ORIGIN_VERIFY_HEADER]: `${SECRET}x`,
      'cloudfront-viewer-address': '198.51.100.7:5000',
    });
    expect(clientIp(wrongSecret, SECRET)).toBe('192.0.2.66');
    // No origin secret deployed (no CloudFront in front): always the connection.
    expect(clientIp(viaCloudFront)).toBe(edge);
    // The secret but no usable viewer address: the connection, not nothing.
    expect(clientIp(event(edge, { [ORIGIN_VERIFY_HEADER]: SECRET }), SECRET)).toBe(edge);
  });

  it('hands the handler the client address and never the origin secret', () => {
    const request = fromApiGateway(
      event('130.176.0.10', { 'X-Digest-Origin-Verify': SECRET, 'CloudFront-Viewer-Address': '198.51.100.7:5000' }),
      SECRET,
    );
    expect(request.sourceIp).toBe('198.51.100.7');
    expect(JSON.stringify(request.headers)).not.toContain(SECRET);
    expect(request.headers['content-type']).toBe('application/x-www-form-urlencoded');
  });
});
