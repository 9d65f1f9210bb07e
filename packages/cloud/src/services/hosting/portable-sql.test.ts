import { portableSqlGuard } from '../../engines/dialect/portable-sql.test-helper.js';

portableSqlGuard('hosting', import.meta.url);
