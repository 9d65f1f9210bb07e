import { randomBytes } from 'node:crypto';
import { cognitoError } from './cognito-error.js';

/** A pending sign-in step (SRP state, MFA, new password), kept in memory for three minutes. */
export interface ChallengeSession {
  poolId: string;
  clientId: string;
  username: string;
  challenge: string;
  expiresAt: number;
  srp?: { A: bigint; b: bigint; B: bigint };
  /** AssociateSoftwareToken during MFA_SETUP: the secret waiting for VerifySoftwareToken. */
  pendingTotpSecret?: string;
  totpVerified?: boolean;
}

export const SESSION_TTL_MS = 3 * 60_000;

/** Where pending sign-in steps live (an in-memory map owned by the service). */
export interface SessionHolder {
  sessions: Map<string, ChallengeSession>;
}

/** Most pending sign-ins kept at once; beyond it the oldest are dropped so a flood cannot exhaust memory. */
const MAX_SESSIONS = 100_000;

/** Keeps a pending sign-in step under `id` (default: a new random session string) and returns the id. */
export function newSession(state: SessionHolder, session: Omit<ChallengeSession, 'expiresAt'>, id = randomBytes(48).toString('base64')): string {
  const now = Date.now();
  for (const [key, value] of state.sessions) {
    if (value.expiresAt >= now && state.sessions.size < MAX_SESSIONS) break; // Map order is insertion order: the rest are newer
    state.sessions.delete(key);
  }
  state.sessions.set(id, { ...session, expiresAt: now + SESSION_TTL_MS });
  return id;
}

/** Takes (and removes) a session: each is good for one answer, and only from the client that started it. */
export function takeSession(state: SessionHolder, id: string | undefined, clientId: string): ChallengeSession {
  const session = id === undefined ? undefined : state.sessions.get(id);
  if (id !== undefined) state.sessions.delete(id);
  if (!session || session.expiresAt < Date.now() || session.clientId !== clientId) throw cognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
  return session;
}
