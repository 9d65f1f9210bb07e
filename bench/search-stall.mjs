#!/usr/bin/env node
// How long one @searchable search holds the event loop (docs/benchmarks.md, "Search"). In this process:
// a cloud on a temporary folder, a searchable model of BENCH_SEARCH_ITEMS items (default 99,000: just
// under the 100,000 a search may read) written through the table engine, then a search that matches every
// item, sorted on a field, with terms, avg and cardinality aggregations, over HTTP. A 1 ms timer measures
// how late it fires: the longest lateness is the longest stretch the event loop ran without a turn.
// Needs `npm run build`. BENCH_RUNS (default 3) runs of each search; BENCH_TRACE=1 prints every block over 40 ms.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';

const root = new URL('..', import.meta.url).pathname;
const ITEMS = Number(process.env.BENCH_SEARCH_ITEMS ?? 99_000);
const TRACE = process.env.BENCH_TRACE === '1';
const RUNS = Number(process.env.BENCH_RUNS ?? 3);
const { startTestCloud } = await import(join(root, 'packages/testing/dist/index.js'));
const { deployTestApi } = await import(join(root, 'packages/testing/dist/appsync-deploy.js'));

const SCHEMA = /* GraphQL */ `
  type Note @model @searchable @auth(rules: [{ allow: public }]) {
    id: ID!
    title: String
    category: String
    rating: Int
  }
`;
const SEARCH = /* GraphQL */ `
  query ($limit: Int, $from: Int) {
    searchNotes(
      filter: { title: { match: "note" } }
      sort: [{ field: rating, direction: desc }]
      limit: $limit
      from: $from
      aggregates: [
        { name: "categories", type: terms, field: category }
        { name: "mean", type: avg, field: rating }
        { name: "titles", type: cardinality, field: title }
      ]
    ) {
      items {
        id
        rating
      }
      total
      nextToken
      aggregateItems {
        name
        result {
          ... on SearchableAggregateScalarResult {
            value
          }
          ... on SearchableAggregateBucketResult {
            buckets {
              key
              doc_count
            }
          }
        }
      }
    }
  }
`;

const cloud = await startTestCloud();
try {
  const api = await deployTestApi(cloud, { schema: SCHEMA, authConfig: { defaultAuthentication: { authenticationType: 'API_KEY' } }, name: 'bench' });
  const tables = cloud.kernel.tableEngine();
  const now = new Date().toISOString();
  for (let i = 0; i < ITEMS; i++) {
    await tables.put({
      table: `Note-${api.apiId}-dev`,
      item: {
        id: { S: randomUUID() },
        title: { S: `note ${i}` },
        category: { S: `c${i % 50}` },
        rating: { N: String(i % 1000) },
        createdAt: { S: now },
        updatedAt: { S: now },
        __typename: { S: 'Note' },
      },
    });
  }
  const search = async (variables) => {
    const res = await fetch(api.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': api.apiKey },
      body: JSON.stringify({ query: SEARCH, variables }),
    });
    return res.json();
  };
  for (const variables of [{ limit: 100 }, { limit: 100, from: 9900 }]) {
    const stalls = [];
    const times = [];
    for (let run = 0; run < RUNS; run++) {
      let longest = 0;
      const started = performance.now();
      let last = performance.now();
      const timer = setInterval(() => {
        const t = performance.now();
        longest = Math.max(longest, t - last);
        if (TRACE && t - last > 40) console.log(`  block ${Math.round(t - last)} ms ending at ${Math.round(t - started)} ms`);
        last = t;
      }, 1);
      const json = await search(variables);
      times.push(performance.now() - started);
      clearInterval(timer);
      assert.equal(json.data?.searchNotes?.total, ITEMS, JSON.stringify(json).slice(0, 300));
      stalls.push(longest);
    }
    const med = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
    console.log(
      `${ITEMS} items, ${JSON.stringify(variables)}: answer ${Math.round(med(times))} ms, longest event-loop block ${Math.round(med(stalls))} ms (median of ${RUNS}; max ${Math.round(Math.max(...stalls))} ms)`,
    );
  }
} finally {
  await cloud.close();
}
