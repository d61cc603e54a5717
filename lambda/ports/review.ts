/**
 * The author's review actions as a host reaches them: in this process (`serve`, the CLI), or on AWS through
 * the compose-issue function, which alone may read the sources and render an issue (adapters/lambda-review.ts).
 */
import type { ReviewAnswer, ReviewRequest } from '../core/review';

export interface ReviewActions {
  act(request: ReviewRequest): Promise<ReviewAnswer>;
  /** An approval came after the send time: send the issue now, or say how; the words say which. */
  sendNow(): Promise<string>;
}
