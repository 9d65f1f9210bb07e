import { portableSqlGuard } from '../../engines/dialect/portable-sql.test-helper.js';

portableSqlGuard('apigateway', import.meta.url);
