/** The apigateway service's tables (namespace `apigateway`). Append new migrations; never edit applied ones. */
export const APIGATEWAY_MIGRATIONS: readonly string[] = [
  `CREATE TABLE apigateway_apis (
    api_id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    definition TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
  );
  CREATE TABLE apigateway_stages (
    api_id TEXT NOT NULL,
    stage_name TEXT NOT NULL,
    deployment_id TEXT NOT NULL,
    variables TEXT NOT NULL,
    PRIMARY KEY (api_id, stage_name)
  );
  CREATE TABLE apigateway_gateway_responses (
    api_id TEXT NOT NULL,
    response_type TEXT NOT NULL,
    resource_id TEXT NOT NULL,
    definition TEXT NOT NULL,
    PRIMARY KEY (api_id, response_type)
  );`,
];
