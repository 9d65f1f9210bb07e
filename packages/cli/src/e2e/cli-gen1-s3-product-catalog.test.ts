/**
 * The corpus app product-catalog with its bucket, pushed whole. Its `lowstockproducts` function reads the API's
 * outputs, so it is created after the schema whose @function field names it: the schema accepts a function the
 * same push creates later. The function's secret is set first, as a teammate sets it after cloning.
 */
import { describeCorpusBucketPush } from './gen1-bucket-push.js';

describeCorpusBucketPush('product-catalog', 's338e5b439', { secrets: { lowstockproducts: { PRODUCT_CATALOG_SECRET: 'catalog-secret-value' } } });
