/** The signing secret: set where real mail needs it, and long enough (each key ≥ 32 characters). Pure. */
import { signingKeys } from '../../core/tokens';
import { ENV } from '../../env';
import { type CheckResult, fail, pass, warn } from '../check';

const ID = 'signing-secret';
const TITLE = 'Signing secret';
const MIN = 32;
const MAKE = '`openssl rand -base64 48`';

export function judgeSigningSecret(
  value: string | undefined,
  transport: 'outbox' | 'ses',
  stateDir: string,
): CheckResult {
  const secret = value?.trim();
  if (!secret) {
    return transport === 'outbox'
      ? pass(
          ID,
          TITLE,
          `${ENV.signingSecret} is not set: the outbox signs links with a key kept in ${stateDir}/signing.key`,
        )
      : fail(
          ID,
          TITLE,
          `${ENV.signingSecret} is not set: unsubscribe and confirm links cannot be signed, so nothing is sent through SES`,
          `set ${ENV.signingSecret} to at least ${MIN} random characters (${MAKE}); on AWS it is the signing-key secret`,
        );
  }
  const parts = secret.split(/\s+/);
  const keys = signingKeys(secret);
  const signing = keys[0]?.secret ?? secret;
  if (signing.length < MIN) {
    return fail(
      ID,
      TITLE,
      `${ENV.signingSecret} is ${signing.length} characters long: too short to sign links safely`,
      `set it to at least ${MIN} random characters (${MAKE})`,
    );
  }
  if (parts.length > 1 && keys.length === 1) {
    return warn(
      ID,
      TITLE,
      `${ENV.signingSecret} holds spaces, but not ${parts.length} keys of ${MIN}+ characters each: it is used as one key`,
      `to rotate, give whole keys separated by a space ("NEW OLD"), each at least ${MIN} characters`,
    );
  }
  const rest = keys.length > 1 ? ` (${keys.length - 1} older key${keys.length > 2 ? 's' : ''} still verify)` : '';
  return pass(ID, TITLE, `${ENV.signingSecret}: the signing key has ${signing.length} characters${rest}`);
}
