/**
 * The CDK stacks as CloudFormation sees them (bundling skipped: docs/FACTS.md, 0.2 s instead of 3 s a stack).
 * `npm run synth` (with bundling, cdk-nag and cfn-lint) is the other half, run by the test script too.
 */
import { Match, type Template } from 'aws-cdk-lib/assertions';
import { buildStacks } from '../../infra/stacks';
import { LAMBDA_ENV } from '../../lambda/config';
import { planSendFleet } from '../../lambda/core/fleet';
import { SECURITY_HEADERS } from '../../lambda/http/security-headers';
import { deployable, freshApp, statementsOf, templates } from './build';

let data: Template;
let digest: Template;

beforeAll(async () => {
  ({ dataTemplate: data, digestTemplate: digest } = await templates({
    sendRate: 14,
    alarmEmail: 'author@example.com',
    encryptTopics: true,
    env: { account: '123456789012', region: 'eu-west-1' },
  }));
}, 60_000);

describe('data stack', () => {
  it('keeps the table on demand, with point-in-time recovery and TTL, and retains it on delete', () => {
    data.hasResource('AWS::DynamoDB::GlobalTable', {
      DeletionPolicy: 'Retain',
      UpdateReplacePolicy: 'Retain',
      Properties: Match.objectLike({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: 'pk', KeyType: 'HASH' },
          { AttributeName: 'sk', KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: 'ttl', Enabled: true },
        Replicas: [Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } })],
      }),
    });
  });

  it('has a secret for the Pinboard token and a generated signing key, both retained', () => {
    data.resourceCountIs('AWS::SecretsManager::Secret', 2);
    data.hasResourceProperties('AWS::SecretsManager::Secret', {
      GenerateSecretString: Match.objectLike({ PasswordLength: 64, ExcludePunctuation: true }),
    });
    for (const secret of Object.values(data.findResources('AWS::SecretsManager::Secret'))) {
      expect(secret.DeletionPolicy).toBe('Retain');
    }
  });

  it('sends through a configuration set that requires TLS, keeps reputation metrics, suppresses bounces and complaints', () => {
    data.hasResourceProperties('AWS::SES::ConfigurationSet', {
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
      ReputationOptions: { ReputationMetricsEnabled: true },
      SuppressionOptions: { SuppressedReasons: Match.arrayWith(['BOUNCE', 'COMPLAINT']) },
    });
  });

  it('publishes bounce and complaint events to an encrypted topic the ses-events function reads', () => {
    digest.hasResourceProperties('AWS::SES::ConfigurationSetEventDestination', {
      EventDestination: Match.objectLike({
        Enabled: true,
        MatchingEventTypes: Match.arrayWith(['bounce', 'complaint']),
        SnsDestination: Match.anyValue(),
      }),
    });
    digest.hasResourceProperties('AWS::SNS::Topic', { KmsMasterKeyId: Match.anyValue() });
    digest.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'lambda' });
  });

  it('has a send queue whose visibility timeout is 6× the function timeout, redriving to a DLQ', () => {
    const fleet = planSendFleet(14);
    data.hasResourceProperties('AWS::SQS::Queue', {
      VisibilityTimeout: fleet.visibilityTimeoutSeconds,
      RedrivePolicy: { deadLetterTargetArn: Match.anyValue(), maxReceiveCount: fleet.maxReceiveCount },
    });
    data.resourceCountIs('AWS::SQS::Queue', 2);
  });
});

describe('digest stack', () => {
  const functions = () => Object.values(digest.findResources('AWS::Lambda::Function'));

  it('runs four functions on nodejs24.x, arm64, with log retention and the env names of lambda/config.ts', () => {
    expect(functions()).toHaveLength(4);
    for (const f of functions()) {
      expect(f.Properties.Runtime).toBe('nodejs24.x');
      expect(f.Properties.Architectures).toEqual(['arm64']);
      const names = Object.keys(f.Properties.Environment.Variables);
      for (const name of [
        LAMBDA_ENV.table,
        LAMBDA_ENV.queueUrl,
        LAMBDA_ENV.configurationSet,
        LAMBDA_ENV.fleetConcurrency,
      ]) {
        expect(names).toContain(name);
      }
    }
    for (const g of Object.values(digest.findResources('AWS::Logs::LogGroup'))) {
      expect(g.Properties.RetentionInDays).toBe(90);
    }
  });

  it('composes on EventBridge Scheduler with the config cron and time zone', () => {
    digest.hasResourceProperties('AWS::Scheduler::Schedule', {
      ScheduleExpression: 'cron(0 7 ? * SAT *)',
      ScheduleExpressionTimezone: 'Europe/London',
      Target: Match.objectLike({ RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 2 }) }),
    });
  });

  it('caps the send fleet with the SQS event source maximum concurrency and reports partial batch failures', () => {
    const fleet = planSendFleet(14);
    digest.hasResourceProperties('AWS::Lambda::EventSourceMapping', {
      BatchSize: fleet.batchSize,
      ScalingConfig: { MaximumConcurrency: fleet.maxConcurrency },
      FunctionResponseTypes: ['ReportBatchItemFailures'],
    });
  });

  it('lets the functions send only as the From domain, through the configuration set', () => {
    const policies = Object.values(digest.findResources('AWS::IAM::Policy'));
    const sesStatements = policies.flatMap((p) =>
      (p.Properties.PolicyDocument.Statement as Array<{ Action: unknown; Resource: unknown }>).filter((s) =>
        JSON.stringify(s.Action).includes('ses:Send'),
      ),
    );
    expect(sesStatements.length).toBe(2); // send-batch and the subscription API: compose-issue never sends
    for (const s of sesStatements) {
      expect(s.Action).toBe('ses:SendRawEmail');
      const resources = JSON.stringify(s.Resource);
      expect(resources).toContain(':identity/links.example.com');
      expect(resources).toContain(':configuration-set/');
      expect(resources).not.toContain('"*"');
    }
  });

  it('alarms on the DLQs, errors, throttles, bounce and complaint rates and the daily quota, mailing the author', () => {
    const alarms = Object.values(digest.findResources('AWS::CloudWatch::Alarm')).map((a) => a.Properties);
    const byMetric = (name: string) => alarms.filter((a) => a.MetricName === name);
    expect(byMetric('ApproximateNumberOfMessagesVisible')).toHaveLength(3);
    expect(byMetric('Errors')).toHaveLength(4);
    expect(byMetric('Throttles')).toHaveLength(4);
    expect(byMetric('Reputation.BounceRate')[0]?.Threshold).toBe(0.05);
    expect(byMetric('Reputation.ComplaintRate')[0]?.Threshold).toBe(0.001);
    expect(byMetric('QuotaUsedRatio')[0]?.Threshold).toBe(0.9);
    for (const a of alarms) expect(a.AlarmActions).toHaveLength(1);
    digest.hasResourceProperties('AWS::SNS::Subscription', { Protocol: 'email', Endpoint: 'author@example.com' });
  });
});

describe('the subscription API', () => {
  /** Every policy statement attached to the subscription-api function's role. */
  const subscriptionPolicy = () => JSON.stringify(statementsOf(digest, 'SubscriptionApi'));

  it('is an HTTP API sending every path to the subscription-api function (payload 2.0), on a throttled $default stage', () => {
    digest.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    digest.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    digest.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: '$default' });
    digest.hasResourceProperties('AWS::ApiGatewayV2::Integration', {
      IntegrationType: 'AWS_PROXY',
      PayloadFormatVersion: '2.0',
    });
    digest.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: Match.objectLike({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 }),
      AccessLogSettings: Match.objectLike({ DestinationArn: Match.anyValue() }),
    });
  });

  it('logs the path of each request, never its query (tokens are there)', () => {
    const stage = Object.values(digest.findResources('AWS::ApiGatewayV2::Stage'))[0];
    const format = String(stage?.Properties.AccessLogSettings.Format);
    expect(format).toContain('$context.path');
    expect(format).not.toMatch(/querystring|\$context\.requestUri|rawQuery/i);
  });

  it('may read the table and the signing key and send as the From domain, but not read the Pinboard token', () => {
    const policy = subscriptionPolicy();
    expect(policy).toContain('dynamodb:PutItem');
    expect(policy).toContain('ses:SendRawEmail');
    expect(policy).toContain('secretsmanager:GetSecretValue');
    expect(policy).not.toContain('ses:GetSendQuota');
    expect(policy).not.toContain('sqs:SendMessage');
    const secrets = Object.keys(data.findResources('AWS::SecretsManager::Secret'));
    const pinboard = secrets.find((s) => /Pinboard/i.test(s)) ?? 'none';
    expect(policy).not.toContain(pinboard);
  });

  it('gives its URL as a stack output, to become the siteUrl', () => {
    digest.hasOutput('SubscriptionApiUrl', { Value: Match.anyValue() });
  });
});

describe('buildStacks', () => {
  it('refuses a loopback siteUrl: it is for serve on a laptop only', async () => {
    const local = deployable({ siteUrl: 'http://127.0.0.1:8080' });
    await expect(buildStacks(freshApp(), local, { alarms: 'none' })).rejects.toThrow(
      /siteUrl http:\/\/127\.0\.0\.1:8080 is this machine/,
    );
  });

  it('leaves out the customer KMS key ($1/month) unless asked, keeping the topics TLS-only', async () => {
    const { digestTemplate: t } = await templates({ sendRate: 14 });
    t.resourceCountIs('AWS::KMS::Key', 0);
    for (const topic of Object.values(t.findResources('AWS::SNS::Topic'))) {
      expect(topic.Properties.KmsMasterKeyId).toBeUndefined();
    }
    t.resourceCountIs('AWS::SNS::Subscription', 1); // ses-events only: no alarm address given
  });

  it('has SES receive unsubscribe replies only when the config says so: a scanned rule for that mailbox, into the events topic', async () => {
    const loaded = deployable();
    const subscriptions = {
      ...loaded.config.subscriptions,
      mailtoUnsubscribe: true,
      receiveReplies: true,
      mailtoAddress: 'unsubscribe@links.example.com',
    };
    const { digestTemplate: t } = await templates({}, { ...loaded, config: { ...loaded.config, subscriptions } });
    t.hasResourceProperties('AWS::SES::ReceiptRule', {
      Rule: Match.objectLike({
        Enabled: true,
        Recipients: ['unsubscribe@links.example.com'],
        ScanEnabled: true,
        TlsPolicy: 'Require',
        Actions: [{ SNSAction: { Encoding: 'UTF-8', TopicArn: Match.anyValue() } }],
      }),
    });
    const [topicId] = Object.keys(
      t.findResources('AWS::SNS::Topic', { Properties: { DisplayName: Match.stringLikeRegexp('SES') } }),
    );
    t.hasResourceProperties('AWS::SNS::TopicPolicy', {
      Topics: [{ Ref: topicId }],
      PolicyDocument: Match.objectLike({
        Statement: Match.arrayWith([
          Match.objectLike({
            Action: 'sns:Publish',
            Principal: { Service: 'ses.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': { Ref: 'AWS::AccountId' } } },
          }),
        ]),
      }),
    });
    expect(JSON.stringify(t.findOutputs('*'))).toContain('set-active-receipt-rule-set');
    // ses-events may now read the signing key (to check reply tokens); in the example it may not.
    const readsSigningKey = (tpl: Template) =>
      Object.values(tpl.findResources('AWS::IAM::Policy')).some(
        (p) =>
          JSON.stringify(p.Properties.Roles).includes('SesEvents') &&
          JSON.stringify(p.Properties.PolicyDocument).includes('secretsmanager:GetSecretValue'),
      );
    expect(readsSigningKey(t)).toBe(true);
    expect(readsSigningKey(digest)).toBe(false);
    // The example (replies not received) has none.
    digest.resourceCountIs('AWS::SES::ReceiptRule', 0);
    digest.resourceCountIs('AWS::SES::ReceiptRuleSet', 0);
  });

  it("reports every refusal at once: the config, the alarm destination, the send rate and the caller's own", async () => {
    const loaded = deployable({ source: { type: 'file', path: 'b.json' } });
    const refused = buildStacks(freshApp(), loaded, {
      sendRate: 0,
      problems: ['-c region: "x" is not an AWS region code'],
    });
    await expect(refused).rejects.toThrow(
      /cannot be deployed as it is:\n {2}- -c region: .*\n {2}- source is a "file" source.*\n {2}- no alarm destination.*\n {2}- sendRate must be a positive number/,
    );
  });

  it('refuses a config without a schedule, naming the key', async () => {
    await expect(buildStacks(freshApp(), deployable({ schedule: undefined }), { alarms: 'none' })).rejects.toThrow(
      /"schedule" is needed/,
    );
  });
});

describe('the archive site', () => {
  it("sends serve's security headers from CloudFront: CSP with frame-ancestors 'none', DENY, nosniff, no-referrer, HSTS", () => {
    digest.resourceCountIs('AWS::CloudFront::ResponseHeadersPolicy', 1);
    const [policy] = Object.values(digest.findResources('AWS::CloudFront::ResponseHeadersPolicy'));
    const security = policy?.Properties.ResponseHeadersPolicyConfig.SecurityHeadersConfig;
    expect(security).toEqual({
      ContentSecurityPolicy: { ContentSecurityPolicy: SECURITY_HEADERS['Content-Security-Policy'], Override: true },
      ContentTypeOptions: { Override: true },
      FrameOptions: { FrameOption: 'DENY', Override: true },
      ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      StrictTransportSecurity: { AccessControlMaxAgeSec: 31536000, IncludeSubdomains: false, Override: true },
    });
    expect(SECURITY_HEADERS['Content-Security-Policy']).toContain("frame-ancestors 'none'");
    // The archive's behaviour carries it (the API's behaviours send their own, stricter headers).
    const [distribution] = Object.values(digest.findResources('AWS::CloudFront::Distribution'));
    const config = distribution?.Properties.DistributionConfig;
    expect(config.DefaultCacheBehavior.ResponseHeadersPolicyId).toBeDefined();
  });

  it('keeps the bucket private: all public access blocked, TLS only, encrypted, retained', () => {
    digest.resourceCountIs('AWS::S3::Bucket', 1);
    digest.hasResource('AWS::S3::Bucket', {
      DeletionPolicy: 'Retain',
      Properties: Match.objectLike({
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: {
          ServerSideEncryptionConfiguration: [{ ServerSideEncryptionByDefault: { SSEAlgorithm: 'AES256' } }],
        },
      }),
    });
    const [policy] = Object.values(digest.findResources('AWS::S3::BucketPolicy'));
    const statements = policy?.Properties.PolicyDocument.Statement as {
      Effect: string;
      Principal: unknown;
      Action: unknown;
      Condition?: Record<string, Record<string, unknown>>;
    }[];
    expect(statements).toContainEqual(
      expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
    );
    // The one Allow: CloudFront, for this distribution only (OAC), reading objects.
    const allows = statements.filter((s) => s.Effect === 'Allow');
    expect(allows).toHaveLength(1);
    expect(allows[0]).toMatchObject({
      Principal: { Service: 'cloudfront.amazonaws.com' },
      Action: 's3:GetObject',
      Condition: { StringEquals: { 'AWS:SourceArn': expect.anything() } },
    });
  });

  it('serves it through CloudFront with Origin Access Control, HTTPS only, folder pages via a function', () => {
    digest.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    digest.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
      OriginAccessControlConfig: Match.objectLike({ OriginAccessControlOriginType: 's3', SigningBehavior: 'always' }),
    });
    digest.hasResourceProperties('AWS::CloudFront::Distribution', {
      DistributionConfig: Match.objectLike({
        DefaultRootObject: 'index.html',
        Origins: Match.arrayWith([
          Match.objectLike({ OriginAccessControlId: Match.anyValue(), S3OriginConfig: { OriginAccessIdentity: '' } }),
        ]),
        DefaultCacheBehavior: Match.objectLike({
          ViewerProtocolPolicy: 'redirect-to-https',
          FunctionAssociations: [Match.objectLike({ EventType: 'viewer-request' })],
        }),
        // The subscription API on the same domain: signup, confirm and unsubscribe links work from siteUrl.
        CacheBehaviors: ['/subscribe', '/confirm', '/unsubscribe', '/review/*'].map((PathPattern) =>
          Match.objectLike({ PathPattern, AllowedMethods: Match.arrayWith(['POST']) }),
        ),
      }),
    });
    digest.hasOutput('SiteUrl', Match.anyValue());
  });

  it('lets compose-issue, and no other function, put objects in that bucket, and tells it the bucket', () => {
    const bucketId = Object.keys(digest.findResources('AWS::S3::Bucket'))[0] as string;
    const writers = Object.entries(digest.findResources('AWS::IAM::Policy')).filter(([, p]) =>
      JSON.stringify(p.Properties.PolicyDocument).includes(bucketId),
    );
    expect(writers).toHaveLength(1);
    const statements = writers[0]?.[1].Properties.PolicyDocument.Statement as { Action: unknown; Resource: unknown }[];
    const s3 = statements.filter((s) => JSON.stringify(s.Action).includes('s3:'));
    expect(s3).toEqual([
      expect.objectContaining({
        Action: 's3:PutObject',
        Resource: { 'Fn::Join': ['', [{ 'Fn::GetAtt': [bucketId, 'Arn'] }, '/*']] },
      }),
    ]);
    expect(JSON.stringify(writers[0]?.[1].Properties.Roles)).toContain('ComposeIssue');
    const functions = digest.findResources('AWS::Lambda::Function');
    const withBucket = Object.entries(functions).filter(
      ([, f]) => f.Properties.Environment?.Variables?.DIGEST_SITE_BUCKET,
    );
    expect(withBucket.map(([id]) => id)).toEqual([expect.stringMatching(/^ComposeIssue/)]);
  });

  it('passes the API the viewer address and an origin secret only it and CloudFront know', () => {
    const [secretId] = Object.keys(
      digest.findResources('AWS::SecretsManager::Secret', {
        Properties: { Description: Match.stringLikeRegexp('CloudFront to the subscription API') },
      }),
    );
    expect(secretId).toBeDefined();
    // CloudFront adds the secret as a custom header on the API origin, and only there.
    const [distribution] = Object.values(digest.findResources('AWS::CloudFront::Distribution'));
    const origins = distribution?.Properties.DistributionConfig.Origins as {
      CustomOriginConfig?: unknown;
      OriginCustomHeaders?: { HeaderName: string; HeaderValue: unknown }[];
    }[];
    const withSecret = origins.filter((o) => JSON.stringify(o.OriginCustomHeaders ?? []).includes(secretId as string));
    expect(withSecret).toHaveLength(1);
    expect(withSecret[0]?.CustomOriginConfig).toBeDefined();
    expect(withSecret[0]?.OriginCustomHeaders?.[0]?.HeaderName).toBe('x-digest-origin-verify');
    // The API behaviours forward CloudFront-Viewer-Address (and the query: tokens), not Host.
    digest.hasResourceProperties('AWS::CloudFront::OriginRequestPolicy', {
      OriginRequestPolicyConfig: Match.objectLike({
        HeadersConfig: {
          HeaderBehavior: 'whitelist',
          Headers: Match.arrayWith(['Accept', 'Content-Type', 'CloudFront-Viewer-Address']),
        },
        QueryStringsConfig: { QueryStringBehavior: 'all' },
      }),
    });
    // The subscription API, and no other function, may read it and is told where it is.
    const readers = Object.values(digest.findResources('AWS::IAM::Policy')).filter((p) =>
      JSON.stringify(p.Properties.PolicyDocument).includes(secretId as string),
    );
    expect(readers).toHaveLength(1);
    expect(JSON.stringify(readers[0]?.Properties.Roles)).toContain('SubscriptionApi');
    const told = Object.entries(digest.findResources('AWS::Lambda::Function')).filter(
      ([, f]) => f.Properties.Environment?.Variables?.[LAMBDA_ENV.originSecretArn],
    );
    expect(told.map(([id]) => id)).toEqual([expect.stringMatching(/^SubscriptionApi/)]);
  });
});
