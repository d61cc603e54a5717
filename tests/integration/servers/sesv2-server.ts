/**
 * A small Amazon SES v2 (REST-JSON) endpoint on 127.0.0.1 for doctor's tests: `GET /v2/email/account`
 * (GetAccount) and `GET /v2/email/identities/{EmailIdentity}` (GetEmailIdentity), shaped as the SDK's
 * deserializers read them (@aws-sdk/client-sesv2: GetAccountResponse, GetEmailIdentityResponse; errors as
 * `x-amzn-ErrorType` plus `{ "message" }`, an unknown identity a 404 NotFoundException). A request without a
 * SigV4 `Authorization` header is refused as AWS refuses it. Every request is recorded; `hang` stops answering.
 */
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SesV2Account {
  sendingEnabled: boolean;
  productionAccessEnabled: boolean;
  enforcementStatus: 'HEALTHY' | 'PROBATION' | 'SHUTDOWN';
  max24HourSend: number;
  maxSendRate: number;
  sentLast24Hours: number;
}

export interface SesV2Identity {
  type: 'DOMAIN' | 'EMAIL_ADDRESS';
  verified: boolean;
  /** PENDING, SUCCESS, FAILED, TEMPORARY_FAILURE, NOT_STARTED. */
  dkimStatus: string;
  dkimSigningEnabled?: boolean;
}

export interface SesV2ServerOptions {
  account: SesV2Account;
  /** By identity name (a domain or an address), case-insensitive. */
  identities: Record<string, SesV2Identity>;
}

export interface SesV2Server {
  url: string;
  requests: { method: string; path: string; authorized: boolean }[];
  state: SesV2ServerOptions & { hang: boolean };
  stop(): Promise<void>;
}

const EPOCH_SECONDS = 1_763_000_000; // restJson timestamps are epoch seconds

function accountBody(a: SesV2Account) {
  return {
    DedicatedIpAutoWarmupEnabled: false,
    EnforcementStatus: a.enforcementStatus,
    ProductionAccessEnabled: a.productionAccessEnabled,
    SendQuota: { Max24HourSend: a.max24HourSend, MaxSendRate: a.maxSendRate, SentLast24Hours: a.sentLast24Hours },
    SendingEnabled: a.sendingEnabled,
    SuppressionAttributes: { SuppressedReasons: ['BOUNCE', 'COMPLAINT'] },
    Details: {
      MailType: 'MARKETING',
      WebsiteURL: 'https://links.example.com',
      ContactLanguage: 'EN',
      UseCaseDescription: 'A weekly digest of links to readers who confirmed their subscription.',
      AdditionalContactEmailAddresses: [],
      ReviewDetails: a.productionAccessEnabled ? { Status: 'GRANTED', CaseId: '1234567890' } : undefined,
    },
  };
}

function identityBody(i: SesV2Identity) {
  const status = i.verified ? 'SUCCESS' : 'PENDING';
  return {
    IdentityType: i.type,
    FeedbackForwardingStatus: true,
    VerifiedForSendingStatus: i.verified,
    VerificationStatus: status,
    DkimAttributes: {
      SigningEnabled: i.dkimSigningEnabled ?? i.type === 'DOMAIN',
      Status: i.dkimStatus,
      Tokens: i.type === 'DOMAIN' ? ['tok1abcdefghijklmnop', 'tok2abcdefghijklmnop', 'tok3abcdefghijklmnop'] : [],
      SigningAttributesOrigin: 'AWS_SES',
      NextSigningKeyLength: 'RSA_2048_BIT',
      CurrentSigningKeyLength: 'RSA_2048_BIT',
      LastKeyGenerationTimestamp: EPOCH_SECONDS,
    },
    MailFromAttributes: {
      MailFromDomain: '',
      MailFromDomainStatus: 'FAILED',
      BehaviorOnMxFailure: 'USE_DEFAULT_VALUE',
    },
    Policies: {},
    Tags: [],
    VerificationInfo: {
      LastCheckedTimestamp: EPOCH_SECONDS,
      LastSuccessTimestamp: i.verified ? EPOCH_SECONDS : undefined,
    },
  };
}

export async function startSesV2Server(options: SesV2ServerOptions): Promise<SesV2Server> {
  const state = { ...options, hang: false };
  const requests: SesV2Server['requests'] = [];
  const hanging = new Set<http.ServerResponse>();

  const server = http.createServer((req, res) => {
    const url = new URL(req.url ?? '/', 'http://127.0.0.1');
    const authorized = /^AWS4-HMAC-SHA256 Credential=/.test(req.headers.authorization ?? '');
    requests.push({ method: req.method ?? '', path: url.pathname, authorized });
    req.resume();
    if (state.hang) {
      hanging.add(res);
      return;
    }
    const json = (status: number, body: unknown, errorType?: string) => {
      res.writeHead(status, {
        'content-type': 'application/json',
        'x-amzn-requestid': randomUUID(),
        ...(errorType ? { 'x-amzn-errortype': errorType } : {}),
      });
      res.end(JSON.stringify(body));
    };
    if (!authorized) {
      return json(403, { message: 'Missing Authentication Token' }, 'MissingAuthenticationTokenException');
    }
    if (req.method === 'GET' && url.pathname === '/v2/email/account') return json(200, accountBody(state.account));
    const identity = /^\/v2\/email\/identities\/([^/]+)$/.exec(url.pathname);
    if (req.method === 'GET' && identity) {
      const name = decodeURIComponent(identity[1] ?? '').toLowerCase();
      const found = Object.entries(state.identities).find(([k]) => k.toLowerCase() === name);
      if (!found) return json(404, { message: `Email identity ${name} does not exist.` }, 'NotFoundException');
      return json(200, identityBody(found[1]));
    }
    return json(404, { message: `No route for ${req.method} ${url.pathname}` }, 'NotFoundException');
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    state,
    async stop() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
