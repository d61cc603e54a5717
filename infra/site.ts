/**
 * The digest on the web: a private S3 bucket (no public access, TLS only, encrypted) that only CloudFront
 * reads, through Origin Access Control, and only compose-issue writes. One address for readers: the
 * distribution serves the archive (siteUrl/issues/N/, the index, the feeds) and sends /subscribe, /confirm
 * and /unsubscribe to the subscription API, so every link in a mail and on a page shares one domain.
 */
import { CfnOutput, Duration, Fn, RemovalPolicy, Stack, Validations } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { OUTPUTS } from '../lambda/deploy/outputs';
import { LAMBDA_ENV } from '../lambda/env';
import { ORIGIN_VERIFY_HEADER } from '../lambda/http/api-gateway';
import { SECURITY_HEADERS } from '../lambda/http/security-headers';
import { grantSecretValue } from './grants';

export interface DigestSiteProps {
  /** compose-issue: the one function that writes the site. */
  writer: lambda.Function;
  /** The subscription API's URL (`https://…execute-api…/`): its routes are served under the same domain. */
  subscriptionApiUrl?: string;
  /** The subscription API's function: told the origin secret, so it can trust the viewer address CloudFront sends. */
  subscriptionApi?: lambda.Function;
}

/** The viewer headers the subscription API reads, and CloudFront's own with the viewer's address (per-IP limits). */
export const API_FORWARDED_HEADERS = [
  'Accept',
  'Accept-Language',
  'Content-Type',
  'Origin',
  'Referer',
  'User-Agent',
  'CloudFront-Viewer-Address',
] as const;

/** The API's routes served through the distribution (the handler answers each path itself). */
export const API_PATHS = ['/subscribe', '/confirm', '/unsubscribe', '/review/*'] as const;

/**
 * CloudFront (viewer request): `/issues/3/` → `/issues/3/index.html` (an S3 origin has no folder index), and
 * `/issues/3` → 301 to `/issues/3/`, so relative links on the page resolve.
 */
export const DIRECTORY_INDEX_FUNCTION = `function handler(event) {
  var request = event.request;
  var uri = request.uri;
  if (uri.endsWith('/')) {
    request.uri = uri + 'index.html';
  } else if (uri.lastIndexOf('.') < uri.lastIndexOf('/')) {
    return { statusCode: 301, statusDescription: 'Moved Permanently', headers: { location: { value: uri + '/' } } };
  }
  return request;
}`;

export class DigestSite extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  /** `https://<distribution domain>/`: set siteUrl to this (or a custom domain on the distribution). */
  readonly url: string;
  /** What CloudFront presents to the subscription API (only with an API behind the distribution). */
  readonly originSecret?: secretsmanager.Secret;

  constructor(scope: Construct, id: string, props: DigestSiteProps) {
    super(scope, id);
    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      enforceSSL: true,
      encryption: s3.BucketEncryption.S3_MANAGED,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // The archive can be rebuilt from the store, but readers' bookmarks of pages should not vanish with a stack.
      removalPolicy: RemovalPolicy.RETAIN,
    });

    const directoryIndex = new cloudfront.Function(this, 'DirectoryIndex', {
      code: cloudfront.FunctionCode.fromInline(DIRECTORY_INDEX_FUNCTION),
      runtime: cloudfront.FunctionRuntime.JS_2_0,
      comment: 'issues/N/ -> issues/N/index.html',
    });
    // The same security headers `serve` sends on every archive answer (lambda/http/security-headers.ts): a
    // page's own meta policy applies as well, and the header adds what a meta tag cannot say (frame-ancestors).
    const headers = new cloudfront.ResponseHeadersPolicy(this, 'Headers', {
      comment: 'pinboard-digest archive: security headers',
      securityHeadersBehavior: {
        strictTransportSecurity: { accessControlMaxAge: Duration.days(365), includeSubdomains: false, override: true },
        contentTypeOptions: { override: true },
        frameOptions: {
          frameOption: SECURITY_HEADERS['X-Frame-Options'] as cloudfront.HeadersFrameOption,
          override: true,
        },
        referrerPolicy: {
          referrerPolicy: SECURITY_HEADERS['Referrer-Policy'] as cloudfront.HeadersReferrerPolicy,
          override: true,
        },
        contentSecurityPolicy: { contentSecurityPolicy: SECURITY_HEADERS['Content-Security-Policy'], override: true },
      },
    });
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: `${Stack.of(this).stackName}: the digest archive`,
      defaultRootObject: 'index.html',
      priceClass: cloudfront.PriceClass.PRICE_CLASS_100,
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket, {
          originAccessLevels: [cloudfront.AccessLevel.READ],
        }),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: headers,
        compress: true,
        functionAssociations: [{ function: directoryIndex, eventType: cloudfront.FunctionEventType.VIEWER_REQUEST }],
      },
    });
    if (props.subscriptionApiUrl) {
      // https://ID.execute-api.REGION.amazonaws.com/ → its host name.
      const apiHost = Fn.select(2, Fn.split('/', props.subscriptionApiUrl));
      // Behind CloudFront the API sees an edge server's address; the viewer's comes in CloudFront-Viewer-Address,
      // which the API believes only beside this secret (lambda/http/api-gateway.ts clientIp): a caller of the
      // API's own URL can forge the header, not the secret. It is only ever sent to the API, over TLS.
      this.originSecret = new secretsmanager.Secret(this, 'OriginSecret', {
        description:
          "Sent by CloudFront to the subscription API with every request: proves the viewer address is CloudFront's",
        generateSecretString: { passwordLength: 48, excludePunctuation: true },
      });
      Validations.of(this.originSecret).acknowledge({
        id: 'AwsSolutions-SMG4',
        reason:
          'Rotated by deploying again with a new secret (CloudFront reads the value at deploy time); a stale value only makes the API count the edge address instead of the viewer, it opens nothing.',
      });
      const api = new origins.HttpOrigin(apiHost, {
        protocolPolicy: cloudfront.OriginProtocolPolicy.HTTPS_ONLY,
        customHeaders: { [ORIGIN_VERIFY_HEADER]: this.originSecret.secretValue.unsafeUnwrap() },
      });
      const apiRequests = new cloudfront.OriginRequestPolicy(this, 'ApiRequests', {
        comment: 'The subscription API: its query (tokens), the headers it reads, and the viewer address',
        queryStringBehavior: cloudfront.OriginRequestQueryStringBehavior.all(),
        headerBehavior: cloudfront.OriginRequestHeaderBehavior.allowList(...API_FORWARDED_HEADERS),
        cookieBehavior: cloudfront.OriginRequestCookieBehavior.none(),
      });
      for (const pathPattern of API_PATHS) {
        this.distribution.addBehavior(pathPattern, api, {
          allowedMethods: cloudfront.AllowedMethods.ALLOW_ALL,
          viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
          cachePolicy: cloudfront.CachePolicy.CACHING_DISABLED,
          originRequestPolicy: apiRequests,
        });
      }
      if (props.subscriptionApi) {
        grantSecretValue(props.subscriptionApi, this.originSecret);
        props.subscriptionApi.addEnvironment(LAMBDA_ENV.originSecretArn, this.originSecret.secretArn);
      }
    }
    this.url = `https://${this.distribution.distributionDomainName}/`;

    // compose-issue writes objects into this bucket, and nothing else of S3.
    props.writer.addToRolePolicy(
      new iam.PolicyStatement({ actions: ['s3:PutObject'], resources: [this.bucket.arnForObjects('*')] }),
    );
    props.writer.addEnvironment(LAMBDA_ENV.siteBucket, this.bucket.bucketName);

    new CfnOutput(Stack.of(this), OUTPUTS.digest.siteUrl, {
      value: this.url,
      description: 'The archive and the signup page on one domain: set siteUrl to this (or a custom domain on it)',
    });
    new CfnOutput(Stack.of(this), 'SiteBucket', { value: this.bucket.bucketName, description: 'The archive files' });

    const acknowledge = (scope: Construct, rule: string, reason: string) =>
      Validations.of(scope).acknowledge({ id: rule, reason });
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'The archive bucket is read only by CloudFront (OAC) and written only by compose-issue; its files are rebuilt from the store, so server access logs would record nothing worth their cost.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR1',
      'A public newsletter archive is meant for readers everywhere: no geo restriction.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR2',
      'Static pages with no forms of their own; the signup routes are throttled at the API stage and limited per IP and address. A WAF web ACL ($5+/month) would cost more than the rest of a small digest.',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR3',
      'No access logs: the archive is tracking-free by design, and the API keeps its own access logs (without queries).',
    );
    acknowledge(
      this.distribution,
      'AwsSolutions-CFR4',
      'The default *.cloudfront.net certificate is used until the author adds a custom domain; CloudFront then negotiates TLS 1.2+ with the certificate the author attaches.',
    );
    acknowledge(
      props.writer,
      `AwsSolutions-IAM5[Resource::<${Stack.of(this).getLogicalId(this.bucket.node.defaultChild as s3.CfnBucket)}.Arn>/*]`,
      'compose-issue writes the archive: any object of the one site bucket (pages, index, feeds), PutObject only.',
    );
  }
}
