import { codeMismatch, cognitoError } from './cognito-error.js';
import { mask } from './deliver-code.js';
import type { StoredClient, StoredPool } from './pool-store.js';
import { sha256 } from './user-store.js';

const DOMAINS = ['gmail.com', 'outlook.com', 'yahoo.com', 'icloud.com', 'hotmail.com', 'proton.me'];

/**
 * The answer to "send a code" for a user who does not exist, when the client prevents user existence
 * errors: a code delivery in the same shape as a real one, to a masked destination that is the same on
 * every call for the same name (so asking twice does not tell either). LEGACY clients get
 * UserNotFoundException.
 */
export function simulatedDelivery(
  pool: StoredPool,
  client: StoredClient,
  typed: string,
): { Destination: string; DeliveryMedium: 'EMAIL' | 'SMS'; AttributeName: string } {
  if (client.preventUserExistenceErrors === 'LEGACY') throw userNotFound();
  if (typed.includes('@')) return { Destination: mask(typed), DeliveryMedium: 'EMAIL', AttributeName: 'email' };
  if (/^\+\d{5,}$/.test(typed)) return { Destination: mask(typed), DeliveryMedium: 'SMS', AttributeName: 'phone_number' };
  const digest = sha256(`${pool.id}/${typed.toLowerCase()}`);
  const pick = (at: number, n: number): number => Number.parseInt(digest.slice(at, at + 4), 16) % n;
  const verified = pool.config.AutoVerifiedAttributes ?? [];
  if (verified.length === 1 && verified[0] === 'phone_number') {
    return { Destination: mask(`+1555000${String(pick(0, 10_000)).padStart(4, '0')}`), DeliveryMedium: 'SMS', AttributeName: 'phone_number' };
  }
  return {
    Destination: mask(`${String.fromCharCode(97 + pick(4, 26))}@${DOMAINS[pick(8, DOMAINS.length)]!}`),
    DeliveryMedium: 'EMAIL',
    AttributeName: 'email',
  };
}

/**
 * The answer to a code for a user who does not exist: the CodeMismatchException a wrong code gets, or
 * UserNotFoundException for LEGACY clients.
 */
export function unknownUserCodeError(client: StoredClient): Error {
  return client.preventUserExistenceErrors === 'LEGACY' ? userNotFound() : codeMismatch();
}

function userNotFound(): Error {
  return cognitoError('UserNotFoundException', 'Username/client id combination not found.');
}
