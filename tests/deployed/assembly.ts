/**
 * Reads a synthesized cloud assembly (`cdk.out`) as CloudFormation would deploy it, into local names: every
 * `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub`, `Fn::Select`, `Fn::Split` and `Fn::ImportValue` resolves to the
 * physical name or ARN that a local emulator serves. What the deployment test needs of it: each function's code
 * folder, handler, timeout and environment; each role's policy documents; each resource's own policy; the event
 * source mappings, the schedule's target and the queues' attributes.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface Place {
  region: string;
  account: string;
}

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
type Resource = { Type: string; Properties?: Record<string, Json> };
interface Template {
  Resources: Record<string, Resource>;
  Outputs?: Record<string, { Value: Json; Export?: { Name: Json } }>;
}

export interface PolicyDocument {
  Version?: string;
  Statement: Record<string, unknown>[];
}

export interface DeployedFunction {
  /** The construct's name: ComposeIssue, SendBatch, SesEvents, SubscriptionApi. */
  name: string;
  logicalId: string;
  physicalName: string;
  arn: string;
  codeDir: string;
  /** `index.handler` → file `index.js`, export `handler`. */
  handler: string;
  timeoutSeconds: number;
  memoryMb: number;
  runtime: string;
  /** The template's `Environment.Variables`, resolved. */
  environment: Record<string, string>;
  role: { logicalId: string; name: string; arn: string; policies: { name: string; document: PolicyDocument }[] };
}

/** The local physical names: stable, readable, and valid for each service. */
const physicalName = (stack: string, logicalId: string) => `${stack}-${logicalId}`.toLowerCase();

/** Managed policies a role may carry, as AWS defines them (only what the stacks use). */
const MANAGED_POLICIES: Record<string, PolicyDocument> = {
  'service-role/AWSLambdaBasicExecutionRole': {
    Version: '2012-10-17',
    Statement: [
      {
        Effect: 'Allow',
        Action: ['logs:CreateLogGroup', 'logs:CreateLogStream', 'logs:PutLogEvents'],
        Resource: '*',
      },
    ],
  },
};

export class CloudAssembly {
  private readonly stacks = new Map<string, Template>();
  private readonly exports = new Map<string, { stack: string; value: Json }>();

  constructor(
    readonly dir: string,
    readonly place: Place,
  ) {
    const manifest = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as {
      artifacts: Record<string, { type: string; properties?: { templateFile?: string } }>;
    };
    for (const [name, artifact] of Object.entries(manifest.artifacts)) {
      if (artifact.type !== 'aws:cloudformation:stack' || !artifact.properties?.templateFile) continue;
      const template = JSON.parse(readFileSync(path.join(dir, artifact.properties.templateFile), 'utf8')) as Template;
      this.stacks.set(name, template);
      for (const output of Object.values(template.Outputs ?? {})) {
        if (output.Export) this.exports.set(String(output.Export.Name), { stack: name, value: output.Value });
      }
    }
  }

  get stackNames(): string[] {
    return [...this.stacks.keys()];
  }

  template(stack: string): Template {
    const t = this.stacks.get(stack);
    if (!t) throw new Error(`no stack ${stack} in ${this.dir}`);
    return t;
  }

  /** A stack's outputs, resolved to local names (what `deploy` reads back from CloudFormation). */
  outputs(stack: string): Record<string, string> {
    return Object.fromEntries(
      Object.entries(this.template(stack).Outputs ?? {}).map(([key, o]) => [key, String(this.resolve(stack, o.Value))]),
    );
  }

  /** Every resource of a type, across stacks, with its stack. */
  resources(type: string): { stack: string; logicalId: string; properties: Record<string, Json> }[] {
    const found: { stack: string; logicalId: string; properties: Record<string, Json> }[] = [];
    for (const [stack, t] of this.stacks) {
      for (const [logicalId, r] of Object.entries(t.Resources)) {
        if (r.Type === type) found.push({ stack, logicalId, properties: r.Properties ?? {} });
      }
    }
    return found;
  }

  private resource(stack: string, logicalId: string): Resource {
    const r = this.template(stack).Resources[logicalId];
    if (!r) throw new Error(`${stack}: no resource ${logicalId}`);
    return r;
  }

  /** The value `Ref` gives for a resource, as CloudFormation documents it per type, in local names. */
  ref(stack: string, logicalId: string): string {
    const { region, account } = this.place;
    const pseudo: Record<string, string> = {
      'AWS::Region': region,
      'AWS::AccountId': account,
      'AWS::Partition': 'aws',
      'AWS::URLSuffix': 'amazonaws.com',
      'AWS::StackName': stack,
      'AWS::NoValue': '',
    };
    if (logicalId in pseudo) return pseudo[logicalId] as string;
    const r = this.resource(stack, logicalId);
    const name = physicalName(stack, logicalId);
    switch (r.Type) {
      case 'AWS::SecretsManager::Secret':
        return `arn:aws:secretsmanager:${region}:${account}:secret:${name}-AbCdEf`;
      case 'AWS::SQS::Queue':
        return `http://sqs.${region}.localhost/${account}/${name}`;
      case 'AWS::SNS::Topic':
        return `arn:aws:sns:${region}:${account}:${name}`;
      default:
        return name;
    }
  }

  /** The value `Fn::GetAtt` gives, in local names. */
  getAtt(stack: string, logicalId: string, attribute: string): string {
    const { region, account } = this.place;
    const r = this.resource(stack, logicalId);
    const name = physicalName(stack, logicalId);
    const arns: Record<string, string> = {
      'AWS::DynamoDB::GlobalTable': `arn:aws:dynamodb:${region}:${account}:table/${name}`,
      'AWS::DynamoDB::Table': `arn:aws:dynamodb:${region}:${account}:table/${name}`,
      'AWS::SQS::Queue': `arn:aws:sqs:${region}:${account}:${name}`,
      'AWS::S3::Bucket': `arn:aws:s3:::${name}`,
      'AWS::Lambda::Function': `arn:aws:lambda:${region}:${account}:function:${name}`,
      'AWS::IAM::Role': `arn:aws:iam::${account}:role/${name}`,
      'AWS::SNS::Topic': `arn:aws:sns:${region}:${account}:${name}`,
      'AWS::SecretsManager::Secret': this.ref(stack, logicalId),
      'AWS::CloudFront::Distribution': `arn:aws:cloudfront::${account}:distribution/${name}`,
    };
    if (attribute === 'Arn' && arns[r.Type]) return arns[r.Type] as string;
    if (attribute === 'QueueName' && r.Type === 'AWS::SQS::Queue') return name;
    if (attribute === 'QueueUrl' && r.Type === 'AWS::SQS::Queue') return this.ref(stack, logicalId);
    if (attribute === 'DomainName') return `${name}.cloudfront.net`;
    if (attribute === 'ApiEndpoint') return `https://${name}.execute-api.${region}.amazonaws.com`;
    if (attribute === 'RegionalDomainName') return `${name}.s3.${region}.amazonaws.com`;
    throw new Error(`${stack}: Fn::GetAtt ${logicalId}.${attribute} (${r.Type}) is not known to the local assembly`);
  }

  /** Resolves an intrinsic-laden value of `stack` to plain JSON. */
  resolve(stack: string, value: Json): Json {
    if (Array.isArray(value)) return value.map((v) => this.resolve(stack, v));
    if (value === null || typeof value !== 'object') return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const key = keys[0] as string;
      const arg = value[key] as Json;
      switch (key) {
        case 'Ref':
          return this.ref(stack, String(arg));
        case 'Fn::GetAtt': {
          const [id, attribute] = Array.isArray(arg) ? arg.map(String) : String(arg).split('.');
          return this.getAtt(stack, id as string, attribute as string);
        }
        case 'Fn::Join': {
          const [sep, parts] = arg as [string, Json[]];
          return (this.resolve(stack, parts) as Json[]).map(String).join(sep);
        }
        case 'Fn::Select': {
          const [index, list] = arg as [number, Json];
          return (this.resolve(stack, list) as Json[])[Number(index)] ?? null;
        }
        case 'Fn::Split': {
          const [sep, source] = arg as [string, Json];
          return String(this.resolve(stack, source)).split(sep);
        }
        case 'Fn::Sub': {
          const [text, vars] = (Array.isArray(arg) ? arg : [arg, {}]) as [string, Record<string, Json>];
          return text.replace(/\$\{([^}]+)\}/g, (_, name: string) => {
            if (vars[name] !== undefined) return String(this.resolve(stack, vars[name] as Json));
            const [id, attribute] = name.split('.');
            return attribute ? this.getAtt(stack, id as string, attribute) : this.ref(stack, name);
          });
        }
        case 'Fn::ImportValue': {
          const exported = this.exports.get(String(this.resolve(stack, arg)));
          if (!exported) throw new Error(`${stack}: Fn::ImportValue ${JSON.stringify(arg)} is exported by no stack`);
          return this.resolve(exported.stack, exported.value);
        }
      }
      if (key.startsWith('Fn::')) throw new Error(`${stack}: ${key} is not known to the local assembly`);
    }
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, this.resolve(stack, v)]));
  }

  /** The policy documents a role holds: its inline policies, every AWS::IAM::Policy on it, its managed ones. */
  rolePolicies(stack: string, roleLogicalId: string): { name: string; document: PolicyDocument }[] {
    const role = this.resource(stack, roleLogicalId).Properties ?? {};
    const policies: { name: string; document: PolicyDocument }[] = [];
    for (const p of (role.Policies ?? []) as { PolicyName: string; PolicyDocument: Json }[]) {
      policies.push({
        name: p.PolicyName,
        document: this.resolve(stack, p.PolicyDocument) as unknown as PolicyDocument,
      });
    }
    for (const p of this.resources('AWS::IAM::Policy').filter((r) => r.stack === stack)) {
      const roles = (p.properties.Roles ?? []) as Json[];
      if (!roles.some((r) => JSON.stringify(r) === JSON.stringify({ Ref: roleLogicalId }))) continue;
      policies.push({
        name: p.logicalId,
        document: this.resolve(stack, p.properties.PolicyDocument as Json) as unknown as PolicyDocument,
      });
    }
    for (const arn of (this.resolve(stack, (role.ManagedPolicyArns ?? []) as Json) as string[]) ?? []) {
      const name = arn.split(':policy/')[1] ?? arn;
      const document = MANAGED_POLICIES[name];
      if (!document) throw new Error(`${stack}/${roleLogicalId}: managed policy ${arn} is not known to the local IAM`);
      policies.push({ name, document });
    }
    return policies;
  }

  /** The Lambda functions, with what Lambda would give each: code, handler, environment and role. */
  functions(): DeployedFunction[] {
    return this.resources('AWS::Lambda::Function')
      .filter((f) => (f.properties.Code as Record<string, Json> | undefined)?.S3Key)
      .map((f) => {
        const p = f.properties;
        const key = String((p.Code as Record<string, Json>).S3Key);
        const roleLogicalId = String(((p.Role as Record<string, Json>)['Fn::GetAtt'] as Json[])[0]);
        const environment = this.resolve(f.stack, ((p.Environment as Record<string, Json>)?.Variables ?? {}) as Json);
        return {
          name: f.logicalId.replace(/[0-9A-F]{8}$/, ''),
          logicalId: f.logicalId,
          physicalName: this.ref(f.stack, f.logicalId),
          arn: this.getAtt(f.stack, f.logicalId, 'Arn'),
          codeDir: path.join(this.dir, `asset.${key.replace(/\.zip$/, '')}`),
          handler: String(p.Handler),
          timeoutSeconds: Number(p.Timeout ?? 3),
          memoryMb: Number(p.MemorySize ?? 128),
          runtime: String(p.Runtime),
          environment: Object.fromEntries(
            Object.entries(environment as Record<string, Json>).map(([k, v]) => [k, String(v)]),
          ),
          role: {
            logicalId: roleLogicalId,
            name: this.ref(f.stack, roleLogicalId),
            arn: this.getAtt(f.stack, roleLogicalId, 'Arn'),
            policies: this.rolePolicies(f.stack, roleLogicalId),
          },
        };
      });
  }

  /** Resource policies by the ARN of the resource they guard (queues, buckets, topics, secrets). */
  resourcePolicies(): Map<string, PolicyDocument> {
    const byArn = new Map<string, PolicyDocument>();
    const add = (arn: string, doc: Json) => {
      const document = doc as unknown as PolicyDocument;
      const existing = byArn.get(arn);
      byArn.set(arn, existing ? { ...existing, Statement: [...existing.Statement, ...document.Statement] } : document);
    };
    for (const q of this.resources('AWS::SQS::QueuePolicy')) {
      const doc = this.resolve(q.stack, q.properties.PolicyDocument as Json);
      for (const url of this.resolve(q.stack, q.properties.Queues as Json) as string[]) {
        add(this.queueArnOfUrl(url), doc);
      }
    }
    for (const b of this.resources('AWS::S3::BucketPolicy')) {
      const bucket = String(this.resolve(b.stack, b.properties.Bucket as Json));
      add(`arn:aws:s3:::${bucket}`, this.resolve(b.stack, b.properties.PolicyDocument as Json));
    }
    for (const t of this.resources('AWS::SNS::TopicPolicy')) {
      const doc = this.resolve(t.stack, t.properties.PolicyDocument as Json);
      for (const arn of this.resolve(t.stack, t.properties.Topics as Json) as string[]) add(arn, doc);
    }
    for (const s of this.resources('AWS::SecretsManager::ResourcePolicy')) {
      add(
        String(this.resolve(s.stack, s.properties.SecretId as Json)),
        this.resolve(s.stack, s.properties.ResourcePolicy as Json),
      );
    }
    return byArn;
  }

  queueArnOfUrl(url: string): string {
    return `arn:aws:sqs:${this.place.region}:${this.place.account}:${url.split('/').pop()}`;
  }
}
