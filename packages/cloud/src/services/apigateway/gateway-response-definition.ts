import { definitionError, isRecord } from './definition-error.js';

/** A customised gateway response: its status (else the error's), headers and body template. */
export interface GatewayResponseDefinition {
  statusCode?: number;
  headers: Record<string, string>;
  /** The `application/json` body template; only `$context.error.*` and `$context.requestId` are read. */
  template?: string;
}

const TEMPLATE_VARIABLES = new Set(['$context.error.messageString', '$context.error.message', '$context.error.responseType', '$context.requestId']);

/**
 * Static header values (`'...'`, quoted as API Gateway's mapping expressions are) of `responseParameters`
 * whose keys start with `prefix` (`gatewayresponse.header.` / `method.response.header.`).
 */
export function staticHeaders(parameters: unknown, prefix: string, where: string): Record<string, string> {
  if (parameters === undefined || parameters === null) return {};
  if (!isRecord(parameters)) throw definitionError(where, 'responseParameters must be an object of header mappings');
  const headers: Record<string, string> = {};
  for (const [key, value] of Object.entries(parameters)) {
    if (!key.startsWith(prefix)) throw definitionError(where, `the mapping ${key} is not supported: Forte maps ${prefix}<Name> only`);
    const match = typeof value === 'string' ? /^'(.*)'$/s.exec(value) : null;
    if (!match) {
      throw definitionError(where, `${key} maps ${JSON.stringify(value)}: Forte supports static values only, quoted as 'value'`);
    }
    headers[key.slice(prefix.length)] = match[1]!;
  }
  return headers;
}

/** The `application/json` template of `responseTemplates`, refused when it uses what Forte does not evaluate. */
export function responseTemplate(templates: unknown, where: string, variables: ReadonlySet<string> = TEMPLATE_VARIABLES): string | undefined {
  if (templates === undefined || templates === null) return undefined;
  if (!isRecord(templates)) throw definitionError(where, 'responseTemplates must map content types to templates');
  for (const [type, template] of Object.entries(templates)) {
    if (type !== 'application/json') throw definitionError(where, `a template for ${type} is not supported: Forte answers application/json templates only`);
    if (typeof template !== 'string') throw definitionError(where, 'the application/json template must be a string');
    if (/#(set|if|foreach|end|else)/.test(template))
      throw definitionError(where, 'Velocity directives (#set, #if, #foreach) are not supported in response templates');
    for (const variable of template.match(/\$[\w.!{}]+/g) ?? []) {
      const name = variable.replace(/[{}!]/g, '');
      if (!variables.has(name)) {
        throw definitionError(where, `the template uses ${variable}, which Forte does not evaluate (it reads ${[...variables].join(', ') || 'no variables'})`);
      }
    }
  }
  const template = templates['application/json'];
  return typeof template === 'string' ? template : undefined;
}

/** A gateway response as `AWS::ApiGateway::GatewayResponse` or `x-amazon-apigateway-gateway-responses` declare it. */
export function parseGatewayResponse(
  input: { statusCode?: unknown; responseParameters?: unknown; responseTemplates?: unknown },
  where: string,
): GatewayResponseDefinition {
  const definition: GatewayResponseDefinition = { headers: staticHeaders(input.responseParameters, 'gatewayresponse.header.', where) };
  if (input.statusCode !== undefined) {
    const status = Number(input.statusCode);
    if (!Number.isInteger(status) || status < 100 || status > 599) throw definitionError(where, `StatusCode ${String(input.statusCode)} is not an HTTP status`);
    definition.statusCode = status;
  }
  const template = responseTemplate(input.responseTemplates, where);
  if (template !== undefined) definition.template = template;
  return definition;
}
