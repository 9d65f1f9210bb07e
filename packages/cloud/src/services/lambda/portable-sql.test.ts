import { portableSqlGuard } from '../../engines/dialect/portable-sql.test-helper.js';

portableSqlGuard('lambda', import.meta.url);
