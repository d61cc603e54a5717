/**
 * Lambda's API for operating a deployment: a function invoked synchronously with its log's tail
 * (Invoke, LogType=Tail), and send-batch's SQS event source mapping read and switched on or off
 * (GetEventSourceMapping, UpdateEventSourceMapping). The endpoint comes from the SDK's environment
 * (AWS_ENDPOINT_URL_LAMBDA), the region from the deployment record.
 */
import {
  type EventSourceMappingConfiguration,
  GetEventSourceMappingCommand,
  InvokeCommand,
  type LambdaClient,
  UpdateEventSourceMappingCommand,
} from '@aws-sdk/client-lambda';
import type {
  EventSourceControl,
  FunctionInvoker,
  InvokeAnswer,
  MappingState,
  MappingView,
} from '../../ports/operations';
import { awsCall } from './errors';

const text = new TextDecoder();

export class LambdaInvoker implements FunctionInvoker {
  constructor(private readonly client: LambdaClient) {}

  async invoke(functionName: string, payload: unknown): Promise<InvokeAnswer> {
    const answer = await awsCall(`Lambda Invoke ${functionName}`, () =>
      this.client.send(
        new InvokeCommand({
          FunctionName: functionName,
          InvocationType: 'RequestResponse',
          LogType: 'Tail',
          Payload: new TextEncoder().encode(JSON.stringify(payload)),
        }),
      ),
    );
    const body = answer.Payload ? text.decode(answer.Payload) : '';
    let parsed: unknown = body;
    try {
      parsed = body ? JSON.parse(body) : null;
    } catch {}
    return {
      ...(answer.FunctionError ? { functionError: answer.FunctionError } : {}),
      payload: parsed,
      log: answer.LogResult ? Buffer.from(answer.LogResult, 'base64').toString('utf8') : '',
    };
  }
}

const view = (m: EventSourceMappingConfiguration): MappingView => ({
  state: (m.State ?? 'Updating') as MappingState,
  ...(m.StateTransitionReason ? { reason: m.StateTransitionReason } : {}),
});

export class LambdaEventSource implements EventSourceControl {
  constructor(
    private readonly client: LambdaClient,
    private readonly uuid: string,
  ) {}

  async get(): Promise<MappingView> {
    const m = await awsCall(`Lambda GetEventSourceMapping ${this.uuid}`, () =>
      this.client.send(new GetEventSourceMappingCommand({ UUID: this.uuid })),
    );
    return view(m);
  }

  async setEnabled(enabled: boolean): Promise<MappingView> {
    // Only Enabled is sent: every other setting of the mapping stays as the stack made it.
    const m = await awsCall(`Lambda UpdateEventSourceMapping ${this.uuid}`, () =>
      this.client.send(new UpdateEventSourceMappingCommand({ UUID: this.uuid, Enabled: enabled })),
    );
    return view(m);
  }
}
