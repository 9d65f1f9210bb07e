import { randomBytes } from 'node:crypto';
import type { SqlStore } from '../../engines/types.js';
import { cognitoError } from './cognito-error.js';
import { sha256 } from './user-store.js';

/** A pending sign-in step (SRP state, MFA, new password, MFA setup), good for three minutes. */
export interface ChallengeSession {
  poolId: string;
  clientId: string;
  username: string;
  challenge: string;
  srp?: { A: bigint; b: bigint; B: bigint };
  /** AssociateSoftwareToken during MFA_SETUP: the secret waiting for VerifySoftwareToken. */
  pendingTotpSecret?: string;
  totpVerified?: boolean;
  /** A CUSTOM_AUTH sign-in: the challenges answered so far and the pending challenge's private parameters. */
  custom?: CustomAuthState;
}

/** One answered step of a custom sign-in, as DefineAuthChallenge's `request.session` lists them. */
export interface CustomChallengeResult {
  challengeName: string;
  challengeResult: boolean;
  challengeMetadata: string | null;
}

export interface CustomAuthState {
  history: CustomChallengeResult[];
  privateParameters: Record<string, string>;
  challengeMetadata: string | null;
  /** The name typed matched no user (Cognito still runs the challenge, then refuses). */
  userNotFound: boolean;
}

export const SESSION_TTL_MS = 3 * 60_000;

/** Most pending sign-ins kept at once; beyond it the oldest are dropped so a flood cannot fill the disk. */
const MAX_SESSIONS = 100_000;

interface SessionRow {
  pool_id: string;
  client_id: string;
  username: string;
  challenge: string;
  state: string;
  expires_at: number;
}

/** What a session carries besides its columns; bigints travel as hex. */
interface SessionState {
  srp?: { A: string; b: string; B: string };
  pendingTotpSecret?: string;
  totpVerified?: boolean;
  custom?: CustomAuthState;
}

/**
 * Pending sign-in steps, in SQL so a sign-in started before a restart can finish after it. Rows are keyed
 * by the SHA-256 of the session string: the string itself is a bearer secret and is never stored. The
 * SRP `b` is stored as is (the same database already holds the verifiers it protects).
 */
export function createChallengeSessions(sql: SqlStore, options: { maxSessions?: number; now?: () => number } = {}) {
  const maxSessions = options.maxSessions ?? MAX_SESSIONS;
  const now = options.now ?? Date.now;
  return {
    /** Keeps a pending step under `id` (default: a new random session string) and returns the id. */
    async create(session: ChallengeSession, id = randomBytes(48).toString('base64')): Promise<string> {
      const state: SessionState = {};
      if (session.srp) state.srp = { A: session.srp.A.toString(16), b: session.srp.b.toString(16), B: session.srp.B.toString(16) };
      if (session.pendingTotpSecret !== undefined) state.pendingTotpSecret = session.pendingTotpSecret;
      if (session.totpVerified !== undefined) state.totpVerified = session.totpVerified;
      if (session.custom !== undefined) state.custom = session.custom;
      const at = now();
      await sql.transaction(async (tx) => {
        // Expired steps go on every write, and the oldest live ones once the cap is reached.
        await tx.run('DELETE FROM cognito_challenge_sessions WHERE expires_at < ?', [at]);
        const count = (await tx.get<{ n: number }>('SELECT COUNT(*) AS n FROM cognito_challenge_sessions'))?.n ?? 0;
        if (count >= maxSessions) {
          await tx.run(
            'DELETE FROM cognito_challenge_sessions WHERE session_hash IN (SELECT session_hash FROM cognito_challenge_sessions ORDER BY expires_at LIMIT ?)',
            [count - maxSessions + 1],
          );
        }
        await tx.run(
          'INSERT INTO cognito_challenge_sessions (session_hash, pool_id, client_id, username, challenge, state, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
          [sha256(id), session.poolId, session.clientId, session.username, session.challenge, JSON.stringify(state), at + SESSION_TTL_MS],
        );
      });
      return id;
    },

    /**
     * Takes (and removes) a session: each is good for one answer, and only from the client that started
     * it. `clientId` is undefined for the operations that send none (AssociateSoftwareToken and
     * VerifySoftwareToken carry only the Session), which then continue it under its own client.
     */
    async take(id: string | undefined, clientId: string | undefined): Promise<ChallengeSession> {
      // Read and removed in one statement, so two answers to one session cannot both find it.
      const row =
        id === undefined ? undefined : await sql.get<SessionRow>('DELETE FROM cognito_challenge_sessions WHERE session_hash = ? RETURNING *', [sha256(id)]);
      if (!row || row.expires_at < now() || (clientId !== undefined && row.client_id !== clientId)) {
        throw cognitoError('NotAuthorizedException', 'Invalid session for the user, session is expired.');
      }
      const state = JSON.parse(row.state) as SessionState;
      const session: ChallengeSession = { poolId: row.pool_id, clientId: row.client_id, username: row.username, challenge: row.challenge };
      if (state.srp) session.srp = { A: BigInt(`0x${state.srp.A}`), b: BigInt(`0x${state.srp.b}`), B: BigInt(`0x${state.srp.B}`) };
      if (state.pendingTotpSecret !== undefined) session.pendingTotpSecret = state.pendingTotpSecret;
      if (state.totpVerified !== undefined) session.totpVerified = state.totpVerified;
      if (state.custom !== undefined) session.custom = state.custom;
      return session;
    },
  };
}

export type ChallengeSessions = ReturnType<typeof createChallengeSessions>;
