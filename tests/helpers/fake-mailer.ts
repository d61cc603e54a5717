/** A mailer that records what it accepted and fails on cue: the unit tests' stand-in for SES. */
import { DeliveryError, type DeliveryFailure } from '../../lambda/core/errors';
import type { Mailer, OutgoingMessage } from '../../lambda/ports/mailer';

export type FailureCue = DeliveryFailure | 'quota' | undefined;

export class FakeMailer implements Mailer {
  readonly description = 'fake';
  readonly accepted: OutgoingMessage[] = [];
  readonly attempts = new Map<string, number>();
  constructor(private readonly failFor: (to: string, attempt: number) => FailureCue = () => undefined) {}
  async send(message: OutgoingMessage) {
    const attempt = (this.attempts.get(message.to) ?? 0) + 1;
    this.attempts.set(message.to, attempt);
    const cue = this.failFor(message.to, attempt);
    if (cue === 'quota') {
      throw new DeliveryError('Throttling: Daily message quota exceeded.', { failure: 'fatal', quotaExhausted: true });
    }
    if (cue) throw new DeliveryError(`${cue} for ${message.to}`, { failure: cue });
    this.accepted.push(message);
    return { messageId: `m-${this.accepted.length}` };
  }
}
