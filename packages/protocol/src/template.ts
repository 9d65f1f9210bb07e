import { z } from 'zod';

/**
 * Forte templates: JSON in the CloudFormation shape. Intrinsics supported by the stack engine:
 * `Ref`, `Fn::GetAtt`, `Fn::Sub`, `Fn::Join`, `Fn::If`, `Fn::Select`, `Fn::Split`, `Fn::Base64`,
 * `Fn::GetAZs`, `Fn::ImportValue` (with `Conditions` using `Fn::Equals`, `Fn::Not`, `Fn::And`, `Fn::Or`);
 * the full list is in docs/architecture.md. Resource types are `Forte::<Service>::<Thing>` and the AWS
 * types services register; `Forte::Stack` nests a template given by `Properties.TemplateURL` (a key in the
 * change set's `nestedTemplates`) and `Properties.Parameters`.
 */
export const TEMPLATE_FORMAT_VERSION = 'forte-2026-01';

export const templateParameterSchema = z
  .object({
    Type: z.string(),
    Default: z.unknown().optional(),
    Description: z.string().optional(),
    AllowedValues: z.array(z.unknown()).optional(),
  })
  .passthrough();

export const templateResourceSchema = z
  .object({
    Type: z.string().regex(/^(Forte|AWS|Custom)::[A-Za-z0-9]+(::[A-Za-z0-9]+)*$/, 'resource types look like Forte::Service::Thing'),
    Properties: z.record(z.string(), z.unknown()).optional(),
    DependsOn: z.union([z.string(), z.array(z.string())]).optional(),
    Condition: z.string().optional(),
    DeletionPolicy: z.enum(['Delete', 'Retain']).optional(),
  })
  .passthrough();

export const templateSchema = z
  .object({
    FormatVersion: z.string().optional(),
    AWSTemplateFormatVersion: z.string().optional(),
    Description: z.string().optional(),
    Parameters: z.record(z.string(), templateParameterSchema).optional(),
    Conditions: z.record(z.string(), z.unknown()).optional(),
    Resources: z.record(z.string().regex(/^[A-Za-z0-9]+$/, 'logical ids are alphanumeric'), templateResourceSchema),
    Outputs: z.record(z.string(), z.object({ Value: z.unknown(), Description: z.string().optional() }).passthrough()).optional(),
  })
  .passthrough();

export type TemplateParameter = z.infer<typeof templateParameterSchema>;
export type TemplateResource = z.infer<typeof templateResourceSchema>;
export type Template = z.infer<typeof templateSchema>;

/** Resource types the cloud provides in this release, and what their handlers output. */
export const RESOURCE_TYPES = {
  stack: 'Forte::Stack',
  bucket: 'Forte::S3::Bucket', // Properties: { BucketName, CorsConfiguration?, WebsiteConfiguration? }; attributes: BucketName, Arn, RegionalDomainName, WebsiteURL, DomainName
  bucketObjects: 'Forte::S3::BucketObjects', // Properties: { Bucket, Objects: [{Key, Body (UTF-8 text), ContentType?}] }: small files written with the push; physical id = Bucket
  role: 'Forte::IAM::Role', // Properties: { RoleName, AssumeRolePolicyDocument? (without one, no identity pool may hand the role out), Policies?: [{PolicyName, PolicyDocument}] }; attributes: Arn, RoleName
  policy: 'Forte::IAM::Policy', // Properties: { PolicyName, PolicyDocument, Roles: [roleName] } (roles of any stack); Ref/physical id = Id; attributes: Id, PolicyName
  hostingSite: 'Forte::Hosting::Site', // Properties: { AppId, EnvName, SiteName? }; attributes: SiteId, Url, HostName (PathUrl: the same as Url, for templates from before)
} as const;
