/** Names of values the console never shows: keys, secrets, passwords and tokens stay in the cloud. */
const SECRET_NAME = /key|secret|password|token|credential/i;

export const isSecretName = (name: string): boolean => SECRET_NAME.test(name);

/** The URL-valued attributes of a resource (its endpoints), secret-looking names left out. */
export function endpointsOf(attributes: Record<string, unknown>): { name: string; url: string }[] {
  return Object.entries(attributes).flatMap(([name, value]) =>
    typeof value === 'string' && /^(https?|wss?):\/\//.test(value) && !isSecretName(name) ? [{ name, url: value }] : [],
  );
}
