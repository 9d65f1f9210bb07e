/**
 * The corpus app product-catalog with its bucket, pushed whole. Its `lowstockproducts` function reads the API's
 * outputs, so it is created after the schema whose @function field names it: the schema accepts a function the
 * same push creates later. The function's secret is set first, as a teammate sets it after cloning. Then the
 * function, unchanged, lists the products with a request it signs with its own role: the models allow only the
 * identity pool's signed-in role (`allow: private, provider: iam`), and the function's role passes because the
 * function has access to the API, which makes its role an admin role of the API, as Amplify does.
 */
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { signedPost } from '@forte/testing';
import { describeCorpusBucketPush } from './gen1-bucket-push.js';
import { runForte } from './forte-runner.js';

describeCorpusBucketPush('product-catalog', 's338e5b439', {
  secrets: { lowstockproducts: { PRODUCT_CATALOG_SECRET: 'catalog-secret-value' } },
  afterPush: {
    what: 'its lowstockproducts function lists the products with a request signed by its own role',
    async check({ work, home, root, meta }) {
      const endpoint = new URL(meta.api.productcatalog.output.GraphQLAPIEndpointOutput as string);
      const admin = JSON.parse(readFileSync(join(home, 'cloud', 'admin-credentials.json'), 'utf8')) as { accessKeyId: string; secretAccessKey: string };
      const mutation = 'mutation { createProduct(input: {serialno: 1, engword: "lamp", stock: 2, price: 10}) { id } }';
      const created = (await (await signedPost(endpoint, JSON.stringify({ query: mutation }), admin)).json()) as { data?: unknown; errors?: unknown };
      assert.equal(created.errors, undefined, JSON.stringify(created));

      const event = join(work, 'event.json');
      writeFileSync(event, '{}');
      const invoke = await runForte(['function', 'invoke', 'lowstockproducts', '--event', event], { cwd: root, home });
      assert.equal(invoke.code, 0, invoke.stdout + invoke.stderr);
      assert.match(invoke.stdout, /Checked 1 products, found 1 low stock items \(secret value: catalog-secret-value\)/, invoke.stdout + invoke.stderr);
    },
  },
});
