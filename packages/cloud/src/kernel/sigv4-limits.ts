/** Largest clock difference accepted between a signed request and the server (as AWS). */
export const MAX_CLOCK_SKEW_MS = 15 * 60 * 1000;
/** Longest lifetime of a presigned URL: one week, as AWS. */
export const MAX_PRESIGN_EXPIRES_SECONDS = 604_800;
