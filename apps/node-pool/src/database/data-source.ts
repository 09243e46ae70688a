// For the TypeORM CLI (npm run migration:run / migration:revert / migration:show), which loads the
// compiled file and reads DATABASE_URL from the environment.
import 'reflect-metadata';
import { DataSource } from 'typeorm';
import { dataSourceOptions } from './data-source-options';

const url = process.env.DATABASE_URL;
if (!url) {
  process.stderr.write('Invalid configuration: DATABASE_URL is required\n');
  process.exit(78);
}

export default new DataSource(dataSourceOptions(url, 2));
