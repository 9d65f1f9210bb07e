import type { AmplifyMeta } from '@forte/protocol';

/** The "helpful links" status prints after its table, from the outputs in amplify-meta. */
export function helpfulLinks(meta: AmplifyMeta): string[] {
  const links: string[] = [];
  for (const [category, resources] of Object.entries(meta)) {
    if (category === 'providers') continue;
    for (const entry of Object.values(resources)) {
      const output = (entry as { output?: Record<string, unknown> }).output ?? {};
      const str = (key: string): string | undefined => (typeof output[key] === 'string' ? (output[key] as string) : undefined);
      if (str('GraphQLAPIEndpointOutput')) links.push(`GraphQL endpoint: ${str('GraphQLAPIEndpointOutput')}`);
      if (str('GraphQLAPIKeyOutput')) links.push(`GraphQL API KEY: ${str('GraphQLAPIKeyOutput')}`);
      // Amplify names the transformer that compiled the schema; Forte's follows Amplify's v2 directives.
      if (str('GraphQLAPIEndpointOutput')) links.push('GraphQL transformer version: 2');
      if (str('RootUrl')) links.push(`REST API endpoint: ${str('RootUrl')}`);
      if (category === 'hosting') {
        const url = str('Url') ?? str('WebsiteURL') ?? str('CloudFrontSecureURL') ?? str('DefaultDomain');
        if (url) links.push(`Hosting endpoint: ${url}`);
      }
      if (str('HostedUIDomain')) links.push(`Hosted UI Endpoint: ${str('HostedUIDomain')}`);
    }
  }
  return links;
}
