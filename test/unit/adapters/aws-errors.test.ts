import { EC2ServiceException } from '@aws-sdk/client-ec2';
import { translateAwsError } from '../../../lambda/adapters/aws-errors';
import { AccessDeniedError, AwsCallError, ThrottledError } from '../../../lambda/core/errors';

const ec2Error = (name: string, httpStatusCode = 400) =>
  new EC2ServiceException({ name, $fault: 'client', $metadata: { httpStatusCode }, message: `${name}!` });

describe('translateAwsError: SDK exceptions become domain errors (STYLE §7)', () => {
  it.each([
    'RequestLimitExceeded',
    'Throttling',
    'ThrottlingException',
    'SlowDown',
    'TooManyRequestsException',
  ])('%s is throttling, by the SDK own classification', (code) => {
    const error = translateAwsError(ec2Error(code), 'DescribeSecurityGroups');

    expect(error).toBeInstanceOf(ThrottledError);
    expect(error.message).toBe(`DescribeSecurityGroups failed: ${code}: ${code}!`);
  });

  it('an HTTP 429 is throttling whatever its code', () => {
    expect(translateAwsError(ec2Error('SomethingNew', 429), 'x')).toBeInstanceOf(ThrottledError);
  });

  it('reads the code of the query protocols from `Code`', () => {
    const error = Object.assign(new Error('slow down'), { Code: 'RequestLimitExceeded' });

    expect(translateAwsError(error, 'x')).toBeInstanceOf(ThrottledError);
  });

  it('keeps access denied and other failures apart, with the AWS code', () => {
    const denied = translateAwsError(ec2Error('UnauthorizedOperation', 403), 'RevokeSecurityGroupIngress');
    const other = translateAwsError(ec2Error('InvalidGroup.Malformed'), 'x');

    expect(denied).toBeInstanceOf(AccessDeniedError);
    expect(other).toBeInstanceOf(AwsCallError);
    expect((other as AwsCallError).code).toBe('InvalidGroup.Malformed');
    expect(translateAwsError(new Error('socket hang up'), 'x')).toBeInstanceOf(AwsCallError);
  });
});
