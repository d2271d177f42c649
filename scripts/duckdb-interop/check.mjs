// check.mjs runs SQL queries with DuckDB (an independent Parquet reader) and
// prints their results as JSON, so that a test can compare them with its own
// expectations.
//
// Input (stdin): a JSON object {"name": "SQL", ...}.
// Output (stdout): a JSON object {"name": [[cell, ...], ...], ...}; cells are
// converted by DuckDB's getRowsJson (64-bit integers and decimals as strings).
// Exit status 0 on success, 1 on any error (message on stderr).
//
// Usage: node check.mjs < queries.json
import { DuckDBInstance } from '@duckdb/node-api';

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

try {
  const queries = JSON.parse(await readStdin());
  const instance = await DuckDBInstance.create(':memory:');
  const conn = await instance.connect();
  const out = {};
  for (const [name, sql] of Object.entries(queries)) {
    const reader = await conn.runAndReadAll(sql);
    out[name] = reader.getRowsJson();
  }
  conn.closeSync();
  instance.closeSync();
  process.stdout.write(JSON.stringify(out) + '\n');
} catch (err) {
  process.stderr.write(`duckdb-interop: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
}
