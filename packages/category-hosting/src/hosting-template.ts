import { RESOURCE_TYPES, TEMPLATE_FORMAT_VERSION, type Template } from '@forte/protocol';
import { AMPLIFY_HOSTING, type EnvironmentSetup, type HostingService } from './hosting-services.js';

const siteAttribute = (name: string): { Value: unknown } => ({ Value: { 'Fn::GetAtt': ['Site', name] } });

/**
 * The nested stack of a hosting resource: one `Forte::Hosting::Site`. S3AndCloudFront also reports the
 * output names of Amplify's S3 + CloudFront stack, all pointing at the site, so aws-exports gets the
 * `aws_content_delivery_*` keys apps expect.
 */
export function hostingTemplate(service: HostingService, setup: EnvironmentSetup = 'DEV'): Template {
  const parameters: NonNullable<Template['Parameters']> = {
    env: { Type: 'String' },
    AppId: { Type: 'String' },
  };
  const outputs: NonNullable<Template['Outputs']> = {
    SiteId: siteAttribute('SiteId'),
    Url: siteAttribute('Url'),
  };
  if (service !== AMPLIFY_HOSTING) {
    parameters.bucketName = { Type: 'String' };
    outputs.Region = { Value: { Ref: 'AWS::Region' } };
    outputs.HostingBucketName = { Value: { 'Fn::Join': ['-', [{ Ref: 'bucketName' }, { Ref: 'env' }]] } };
    outputs.WebsiteURL = siteAttribute('Url');
    outputs.S3BucketSecureURL = siteAttribute('Url');
    if (setup === 'PROD') outputs.CloudFrontSecureURL = siteAttribute('Url');
  }
  return {
    FormatVersion: TEMPLATE_FORMAT_VERSION,
    Description: service === AMPLIFY_HOSTING ? 'Forte hosting site (manual deployments)' : 'Forte hosting site standing in for S3 and CloudFront',
    Parameters: parameters,
    Resources: {
      Site: { Type: RESOURCE_TYPES.hostingSite, Properties: { AppId: { Ref: 'AppId' }, EnvName: { Ref: 'env' } } },
    },
    Outputs: outputs,
  };
}

/** The environment setup recorded in an S3AndCloudFront template (ours, or Amplify's CloudFormation one). */
export function environmentSetupOf(template: unknown): EnvironmentSetup {
  const t = template as { Outputs?: Record<string, unknown>; Resources?: Record<string, unknown> } | undefined;
  return t?.Outputs?.CloudFrontSecureURL !== undefined || t?.Resources?.CloudFrontDistribution !== undefined ? 'PROD' : 'DEV';
}
