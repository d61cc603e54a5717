import { classifySesError } from '../../../lambda/adapters/ses-mailer';
import type { DeliveryFailure } from '../../../lambda/core/errors';

const err = (name: string, message = '', status?: number) =>
  Object.assign(new Error(message), { name, ...(status ? { $metadata: { httpStatusCode: status } } : {}) });

const cases: [Error, DeliveryFailure][] = [
  [err('Throttling', 'Maximum sending rate exceeded.', 400), 'transient'],
  [err('Throttling', 'Daily message quota exceeded.', 400), 'fatal'],
  [err('MessageRejected', 'Email address is not verified.', 400), 'refused'],
  [err('InvalidParameterValue', 'Missing final @domain', 400), 'refused'],
  [err('AccountSendingPausedException', '', 400), 'fatal'],
  [err('ConfigurationSetSendingPausedException', '', 400), 'fatal'],
  [err('MailFromDomainNotVerifiedException', '', 400), 'fatal'],
  [err('InvalidClientTokenId', '', 403), 'fatal'],
  [err('InternalFailure', '', 500), 'transient'],
  [err('ServiceUnavailable', '', 503), 'transient'],
  [err('TimeoutError', 'socket hang up'), 'transient'],
  [Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }), 'transient'],
];

describe('classifySesError', () => {
  it.each(cases.map(([error, expected]) => [`${error.name} "${error.message}"`, expected, error] as const))(
    '%s → %s',
    (_label, expected, error) => {
      expect(classifySesError(error)).toBe(expected);
    },
  );
});
