import { parseSesNotification } from '../../../lambda/core/ses-events';

// Shapes as SES publishes them to SNS (configuration-set event publishing uses eventType).
const bounce = (bounceType: string, ...emails: string[]) =>
  JSON.stringify({
    eventType: 'Bounce',
    bounce: {
      bounceType,
      bounceSubType: 'General',
      bouncedRecipients: emails.map((emailAddress) => ({ emailAddress, action: 'failed', status: '5.1.1' })),
      timestamp: '2026-11-21T07:00:05.000Z',
      feedbackId: 'x',
    },
    mail: { timestamp: '2026-11-21T07:00:00.000Z', tags: { issue: ['4'], 'ses:configuration-set': ['cs'] } },
  });

describe('parseSesNotification', () => {
  it('reads a permanent bounce for every recipient it names, with time and issue', () => {
    expect(parseSesNotification(bounce('Permanent', 'a@example.com', 'b@example.com'))).toEqual([
      { kind: 'permanent-bounce', email: 'a@example.com', at: '2026-11-21T07:00:05.000Z', issue: 4 },
      { kind: 'permanent-bounce', email: 'b@example.com', at: '2026-11-21T07:00:05.000Z', issue: 4 },
    ]);
  });

  it('reads Transient and Undetermined bounces as transient', () => {
    expect(parseSesNotification(bounce('Transient', 'a@example.com'))[0]?.kind).toBe('transient-bounce');
    expect(parseSesNotification(bounce('Undetermined', 'a@example.com'))[0]?.kind).toBe('transient-bounce');
  });

  it('reads a complaint in the identity-notification shape (notificationType)', () => {
    const message = JSON.stringify({
      notificationType: 'Complaint',
      complaint: {
        complainedRecipients: [{ emailAddress: 'c@example.com' }],
        timestamp: '2026-11-21T08:00:00.000Z',
        complaintFeedbackType: 'abuse',
      },
      mail: { timestamp: '2026-11-21T07:00:00.000Z' },
    });
    expect(parseSesNotification(message)).toEqual([
      { kind: 'complaint', email: 'c@example.com', at: '2026-11-21T08:00:00.000Z', issue: undefined },
    ]);
  });

  it('ignores deliveries and not-spam feedback, and recipients without an address', () => {
    expect(parseSesNotification(JSON.stringify({ notificationType: 'Delivery', delivery: {} }))).toEqual([]);
    const notSpam = JSON.stringify({
      eventType: 'Complaint',
      complaint: { complainedRecipients: [{ emailAddress: 'c@example.com' }], complaintFeedbackType: 'not-spam' },
    });
    expect(parseSesNotification(notSpam)).toEqual([]);
    const odd = JSON.stringify({
      eventType: 'Bounce',
      bounce: { bounceType: 'Permanent', bouncedRecipients: [{}, 5] },
    });
    expect(parseSesNotification(odd)).toEqual([]);
  });

  it('throws SyntaxError on something that is not an SES notification', () => {
    expect(() => parseSesNotification('not json')).toThrow(SyntaxError);
    expect(() => parseSesNotification('{"hello":1}')).toThrow(SyntaxError);
    expect(() => parseSesNotification('7')).toThrow(SyntaxError);
  });
});
