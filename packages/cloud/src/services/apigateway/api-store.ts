import type { SqlStore } from '../../engines/types.js';
import type { ApiDefinition } from './api-definition.js';
import type { GatewayResponseDefinition } from './gateway-response-definition.js';

/** A REST API with what its stages and gateway responses add, as the gateway serves it. */
export interface ServedApi {
  apiId: string;
  name: string;
  definition: ApiDefinition;
  /** Stage name → its deployment and stage variables. */
  stages: Map<string, { deploymentId: string; variables: Record<string, string> }>;
  /** Response type → the `AWS::ApiGateway::GatewayResponse` of the API (over those of its body). */
  gatewayResponses: Record<string, GatewayResponseDefinition>;
}

/**
 * REST APIs, their stages and gateway responses. `served` keeps what it read until the SQL store's data
 * version changes (when the engine offers one), so a request reads nothing while no deployment writes.
 */
export function createApiStore(sql: SqlStore) {
  const cache = new Map<string, { version: number; api: ServedApi | undefined }>();
  const loading = new Map<string, { version: number; api: Promise<ServedApi | undefined> }>();
  const now = () => new Date().toISOString();

  async function load(apiId: string): Promise<ServedApi | undefined> {
    const row = await sql.get<{ name: string; definition: string }>('SELECT name, definition FROM apigateway_apis WHERE api_id = ?', [apiId]);
    if (!row) return undefined;
    const stages = await sql.all<{ stage_name: string; deployment_id: string; variables: string }>(
      'SELECT stage_name, deployment_id, variables FROM apigateway_stages WHERE api_id = ?',
      [apiId],
    );
    const responses = await sql.all<{ response_type: string; definition: string }>(
      'SELECT response_type, definition FROM apigateway_gateway_responses WHERE api_id = ?',
      [apiId],
    );
    return {
      apiId,
      name: row.name,
      definition: JSON.parse(row.definition) as ApiDefinition,
      stages: new Map(stages.map((s) => [s.stage_name, { deploymentId: s.deployment_id, variables: JSON.parse(s.variables) as Record<string, string> }])),
      gatewayResponses: Object.fromEntries(responses.map((r) => [r.response_type, JSON.parse(r.definition) as GatewayResponseDefinition])),
    };
  }

  return {
    async served(apiId: string): Promise<ServedApi | undefined> {
      const version = sql.dataVersion?.();
      const cached = cache.get(apiId);
      if (version !== undefined && cached?.version === version) return cached.api;
      if (version === undefined) return load(apiId);
      // Requests that miss together at one version share one read (a burst for an API not held, or unknown).
      const pending = loading.get(apiId);
      if (pending?.version === version) return pending.api;
      const read = load(apiId).then((api) => {
        if (cache.size >= 1000) cache.clear();
        cache.set(apiId, { version, api });
        return api;
      });
      const entry = { version, api: read };
      loading.set(apiId, entry);
      try {
        return await read;
      } finally {
        if (loading.get(apiId) === entry) loading.delete(apiId);
      }
    },
    async exists(apiId: string): Promise<boolean> {
      return (await sql.get('SELECT 1 AS found FROM apigateway_apis WHERE api_id = ?', [apiId])) !== undefined;
    },
    async putApi(apiId: string, name: string, definition: ApiDefinition): Promise<void> {
      const at = now();
      await sql.run(
        `INSERT INTO apigateway_apis (api_id, name, definition, created_at, updated_at) VALUES (?, ?, ?, ?, ?)
         ON CONFLICT (api_id) DO UPDATE SET name = excluded.name, definition = excluded.definition, updated_at = excluded.updated_at`,
        [apiId, name, JSON.stringify(definition), at, at],
      );
    },
    /** Deletes the API with its stages and gateway responses, as deleting a REST API does. */
    async deleteApi(apiId: string): Promise<void> {
      await sql.transaction(async (tx) => {
        await tx.run('DELETE FROM apigateway_stages WHERE api_id = ?', [apiId]);
        await tx.run('DELETE FROM apigateway_gateway_responses WHERE api_id = ?', [apiId]);
        await tx.run('DELETE FROM apigateway_apis WHERE api_id = ?', [apiId]);
      });
    },
    async putStage(input: { apiId: string; stageName: string; deploymentId: string; variables: Record<string, string> }): Promise<void> {
      await sql.run(
        `INSERT INTO apigateway_stages (api_id, stage_name, deployment_id, variables) VALUES (?, ?, ?, ?)
         ON CONFLICT (api_id, stage_name) DO UPDATE SET deployment_id = excluded.deployment_id, variables = excluded.variables`,
        [input.apiId, input.stageName, input.deploymentId, JSON.stringify(input.variables)],
      );
    },
    /** Deletes the stages a deployment created (not a stage another deployment took over since). */
    async deleteStagesOf(deploymentId: string): Promise<void> {
      await sql.run('DELETE FROM apigateway_stages WHERE deployment_id = ?', [deploymentId]);
    },
    /** The API's response of this type, owned by the resource `resourceId` (a later resource of the same type takes it over). */
    async putGatewayResponse(input: { apiId: string; responseType: string; resourceId: string; definition: GatewayResponseDefinition }): Promise<void> {
      await sql.run(
        `INSERT INTO apigateway_gateway_responses (api_id, response_type, resource_id, definition) VALUES (?, ?, ?, ?)
         ON CONFLICT (api_id, response_type) DO UPDATE SET resource_id = excluded.resource_id, definition = excluded.definition`,
        [input.apiId, input.responseType, input.resourceId, JSON.stringify(input.definition)],
      );
    },
    /** Deletes the response a resource owns, not one another resource took over since. */
    async deleteGatewayResponse(resourceId: string): Promise<void> {
      await sql.run('DELETE FROM apigateway_gateway_responses WHERE resource_id = ?', [resourceId]);
    },
    async apiIds(): Promise<string[]> {
      return (await sql.all<{ api_id: string }>('SELECT api_id FROM apigateway_apis')).map((r) => r.api_id);
    },
  };
}

export type ApiStore = ReturnType<typeof createApiStore>;
