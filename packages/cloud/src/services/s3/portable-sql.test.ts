import { portableSqlGuard } from '../../engines/dialect/portable-sql.test-helper.js';

portableSqlGuard('s3', import.meta.url);
