/** The hosting services this plugin offers (the names Amplify Gen 1 uses, so existing projects keep working). */
export const AMPLIFY_HOSTING = 'amplifyhosting';
export const S3_AND_CLOUDFRONT = 'S3AndCloudFront';
export type HostingService = typeof AMPLIFY_HOSTING | typeof S3_AND_CLOUDFRONT;

export const CATEGORY = 'hosting';
export const PROVIDER_PLUGIN = 'awscloudformation';

/** S3AndCloudFront's environment setup: DEV serves over HTTP, PROD adds CloudFront (HTTPS) outputs. */
export type EnvironmentSetup = 'DEV' | 'PROD';

export function isHostingService(service: unknown): service is HostingService {
  return service === AMPLIFY_HOSTING || service === S3_AND_CLOUDFRONT;
}

/** The file holding each service's template in `amplify/backend/hosting/<service>/`. */
export function templateFileOf(service: HostingService): string {
  return service === AMPLIFY_HOSTING ? 'amplifyhosting-template.json' : 'template.json';
}
