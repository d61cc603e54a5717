/**
 * The review actions on AWS: the subscription API (a review page's button) and ses-events (a reply with a
 * note) ask compose-issue, the one function that reads the sources and renders an issue, to act. The answer
 * comes back as compose-issue's result (RequestResponse); a late approval's send is started with an Event
 * invocation of the deadline, so the page does not wait for the enqueue.
 */
import { InvokeCommand, type LambdaClient } from '@aws-sdk/client-lambda';
import { COMPOSE_EVENTS, type ReviewAnswer, type ReviewRequest } from '../core/review';
import type { ReviewActions } from '../ports/review';

const text = new TextDecoder();

export class LambdaReviewActions implements ReviewActions {
  constructor(
    private readonly client: LambdaClient,
    private readonly functionName: string,
  ) {}

  async act(request: ReviewRequest): Promise<ReviewAnswer> {
    const answer = await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'RequestResponse',
        Payload: new TextEncoder().encode(JSON.stringify({ source: COMPOSE_EVENTS.review, request })),
      }),
    );
    const body = answer.Payload ? text.decode(answer.Payload) : '';
    if (answer.FunctionError) {
      throw new Error(
        `${this.functionName} failed on a review action (${answer.FunctionError}): ${body.slice(0, 300)}`,
      );
    }
    const parsed = JSON.parse(body) as ReviewAnswer;
    if (!parsed || typeof parsed !== 'object' || !['done', 'refused', 'failed'].includes(parsed.kind)) {
      throw new Error(`${this.functionName} answered a review action with no review answer: ${body.slice(0, 300)}`);
    }
    return parsed;
  }

  async sendNow(): Promise<string> {
    await this.client.send(
      new InvokeCommand({
        FunctionName: this.functionName,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(JSON.stringify({ source: COMPOSE_EVENTS.deadline })),
      }),
    );
    return 'it is going out now.';
  }
}
