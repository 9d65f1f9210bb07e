/** Who asks to invoke a function through its resource policy: an AWS service on behalf of one of its resources. */
export interface InvocationRequester {
  /** The service principal, e.g. `s3.amazonaws.com`. */
  principal: string;
  /** The resource the service acts for, e.g. `arn:aws:s3:::<bucket>`. */
  sourceArn: string;
  sourceAccount: string;
}

/** `ArnLike`: `*` matches any run of characters, `?` one character; the rest literally. */
function arnLike(pattern: string, value: string): boolean {
  const regex = pattern
    .replace(/[.+^${}()|[\]\\]/g, '\\$&')
    .replace(/\*/g, '.*')
    .replace(/\?/g, '.');
  return new RegExp(`^${regex}$`).test(value);
}

/**
 * Whether one `AWS::Lambda::Permission` statement (as recorded) lets `requester` invoke the function: the action
 * is `lambda:InvokeFunction` (or a wildcard), the principal is the service (or `*`), and the statement's
 * `SourceArn` and `SourceAccount` conditions, when present, hold.
 */
export function permissionAllows(statement: Record<string, unknown>, requester: InvocationRequester): boolean {
  const action = String(statement.Action ?? '').toLowerCase();
  if (action !== 'lambda:invokefunction' && action !== 'lambda:*' && action !== '*') return false;
  const principal = String(statement.Principal ?? '');
  if (principal !== requester.principal && principal !== '*') return false;
  if (typeof statement.SourceArn === 'string' && !arnLike(statement.SourceArn, requester.sourceArn)) return false;
  if (typeof statement.SourceAccount === 'string' && statement.SourceAccount !== requester.sourceAccount) return false;
  return true;
}
