// Creates the database named in DATABASE_URL when it is missing (before the project is built).
const { Client } = require('pg');

async function main() {
  const url = new URL(process.env.DATABASE_URL || 'postgres://postgres@127.0.0.1:5432/eventlog');
  const name = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new Client({ connectionString: url.toString() });
  await client.connect();
  try {
    const { rowCount } = await client.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (rowCount) return;
    const { rows } = await client.query('SELECT quote_ident($1) AS q', [name]);
    await client.query(`CREATE DATABASE ${rows[0].q}`);
    console.log(`infra: created database ${name}`);
  } finally {
    await client.end();
  }
}

main().catch((err) => {
  if (err.code === '42P04') return;
  console.error(`infra: cannot prepare the database: ${err.message}`);
  process.exit(1);
});
