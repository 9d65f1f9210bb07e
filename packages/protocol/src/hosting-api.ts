import { z } from 'zod';

/**
 * The hosting service's deploy API (like Amplify Hosting's manual deploys, content-addressed).
 * `POST /hosting-api/` with `X-Amz-Target: ForteHosting.<Operation>` (JSON 1.1, SigV4 service `forte`),
 * and file bodies uploaded with `PUT /hosting-api/sites/<siteId>/blobs/<sha256 hex>` (signed; the server
 * checks the hash). A deployment becomes live in one step with StartDeployment.
 */
export const HOSTING_TARGET_PREFIX = 'ForteHosting.';
export const HOSTING_API_PATH = '/hosting-api/';

/**
 * Where one file body is uploaded: `PUT` with the body, SigV4-signed (service `forte`) with
 * `x-amz-content-sha256` set to the same hex hash, so the cloud checks the signature without buffering the
 * body. Answers 200 `{sha256, size}`; 400 `BadDigest` when the body hashes to something else.
 */
export function hostingBlobPath(siteId: string, sha256: string): string {
  return `${HOSTING_API_PATH}sites/${encodeURIComponent(siteId)}/blobs/${sha256}`;
}

/**
 * `POST /hosting-api/sites/<siteId>/blob-batch`: many small blobs in one signed request (the body is hashed
 * and signed as a whole). The body is a sequence of frames, each the ASCII header `<sha256 hex> <size>\n`
 * followed by exactly `size` bytes. Every frame is checked against its hash before any is stored; answers
 * 200 `{stored, present}`, or 400 `BadDigest` / `ValidationException` and stores nothing.
 */
export function hostingBlobBatchPath(siteId: string): string {
  return `${HOSTING_API_PATH}sites/${encodeURIComponent(siteId)}/blob-batch`;
}

/** Largest body of one blob batch; files above HOSTING_BATCH_FILE_MAX_BYTES go one by one. */
export const HOSTING_BATCH_MAX_BYTES = 8 * 1024 * 1024;
export const HOSTING_BATCH_FILE_MAX_BYTES = 1024 * 1024;

export const siteFileSchema = z.object({
  path: z.string().min(1).max(1024), // site path without leading slash, forward slashes: "index.html", "static/app.js"
  sha256: z.string().regex(/^[0-9a-f]{64}$/),
  size: z.number().int().nonnegative(),
});
export const createDeploymentRequest = z.object({ siteId: z.string().min(1), files: z.array(siteFileSchema).max(100_000) });
export const startDeploymentRequest = z.object({ siteId: z.string().min(1), deploymentId: z.string().min(1) });
export const siteIdRequest = z.object({ siteId: z.string().min(1) });

export type SiteFile = z.infer<typeof siteFileSchema>;

export interface Site {
  siteId: string;
  appId: string;
  envName: string;
  /** `http://<app>-<env>.localhost:<port>/`: a site is served only at its own host name, never on the API's origin. */
  url: string;
  activeDeploymentId?: string;
}

export interface SiteDeployment {
  deploymentId: string;
  siteId: string;
  /** The site's deployments are numbered 1, 2, … in the order they were created; a forgotten one's number is not reused. */
  number: number;
  status: 'PENDING' | 'ACTIVE' | 'SUPERSEDED';
  fileCount: number;
  createdAt: string;
  activatedAt?: string;
}

/** A deployment as ListDeployments reports it: with its size and whether it can go live (again). */
export interface ListedDeployment extends SiteDeployment {
  /** The bytes of its files, uncompressed. */
  totalBytes: number;
  /** Whether every file's body is stored, so StartDeployment can make it live (an unfinished publish's is not). */
  restorable: boolean;
}

export interface HostingOperations {
  GetSite: { input: z.input<typeof siteIdRequest>; output: { site: Site } };
  /** Registers the file list; answers which blobs (sha256) the server does not have yet. */
  CreateDeployment: { input: z.input<typeof createDeploymentRequest>; output: { deployment: SiteDeployment; missing: string[] } };
  /**
   * Makes the deployment live atomically once every blob is present (else ValidationException naming how many
   * are missing). Starting a SUPERSEDED deployment again rolls the site back to it. The last 10 deployments
   * are kept; blobs none of them references are deleted.
   */
  StartDeployment: { input: z.input<typeof startDeploymentRequest>; output: { deployment: SiteDeployment; site: Site } };
  /**
   * The site's deployments, newest first. Those beyond the newest `keptDeployments` (and the live one) are
   * forgotten, their files deleted, when a deployment goes live: numbers missing from the list are such.
   */
  ListDeployments: { input: z.input<typeof siteIdRequest>; output: { deployments: ListedDeployment[]; keptDeployments: number } };
}
