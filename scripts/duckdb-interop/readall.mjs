// readall.mjs reads export files with three independent readers — DuckDB
// (Parquet, CSV), polars (Parquet, Arrow IPC, CSV) and Apache Arrow JS (Arrow
// IPC) — and prints, per file and reader, the row count and the sum of one
// column, so that a test can compare them with what it wrote.
//
// Input (stdin): {"files": [{"path": "...", "format": "parquet|arrow|csv",
// "sum": "column or empty", "float": true when that column is float64}]}.
// Output (stdout): {"path": {"duckdb": {"rows": "N", "sum": "S"}, "polars":
// {...}, "arrow": {...}}, ...}; numbers as decimal strings (sums of int64
// columns exactly, as BigInt). Exit status 1 on any error, naming the file
// and reader.
//
// Usage: node readall.mjs < files.json
import { DuckDBInstance } from '@duckdb/node-api';
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(import.meta.url);
const pl = require('nodejs-polars');
const arrow = require('apache-arrow');

async function readStdin() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  return Buffer.concat(chunks).toString('utf8');
}

function sqlString(s) { return "'" + s.replaceAll("'", "''") + "'"; }

function total(values) {
  let big = 0n, float = 0, isFloat = false;
  for (const v of values) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'bigint') big += v;
    else if (Number.isInteger(v) && !isFloat) big += BigInt(v);
    else { isFloat = true; float += Number(v); }
  }
  return isFloat ? String(float + Number(big)) : big.toString();
}

const spec = JSON.parse(await readStdin());
const instance = await DuckDBInstance.create(':memory:');
const conn = await instance.connect();
const out = {};
let current = '';
try {
  for (const f of spec.files) {
    const res = {};
    out[f.path] = res;
    if (f.format === 'parquet' || f.format === 'csv') {
      current = `duckdb ${f.path}`;
      const src = f.format === 'parquet' ? `read_parquet(${sqlString(f.path)})` : `read_csv(${sqlString(f.path)}, header = true)`;
      // An empty CSV file has no types to detect: cast.
      const cast = f.float ? 'DOUBLE' : 'HUGEINT';
      const sum = f.sum ? `sum(TRY_CAST("${f.sum}" AS ${cast}))::VARCHAR` : `'0'`;
      const reader = await conn.runAndReadAll(`SELECT count(*)::VARCHAR, coalesce(${sum}, '0') FROM ${src}`);
      const [rows, s] = reader.getRowsJson()[0];
      res.duckdb = { rows, sum: s };
    }
    current = `polars ${f.path}`;
    let df;
    if (f.format === 'parquet') df = pl.readParquet(f.path);
    // nodejs-polars's readIPC takes a path string for *.ipc names only
    // (else it parses the string itself as IPC): give it the bytes.
    else if (f.format === 'arrow') df = pl.readIPC(readFileSync(f.path));
    else df = pl.readCSV(f.path, { hasHeader: true, inferSchemaLength: 0 });
    let ps = '0';
    if (f.sum) {
      const col = df.getColumn(f.sum);
      ps = total(f.format === 'csv' ? col.toArray().map(x => (x === null || x === '' ? null : (x.includes('.') || x.includes('e') ? Number(x) : BigInt(x)))) : col.toArray());
    }
    res.polars = { rows: String(df.height), sum: ps };
    if (f.format === 'arrow') {
      current = `arrow ${f.path}`;
      const table = arrow.tableFromIPC(readFileSync(f.path));
      let as = '0';
      if (f.sum) as = total(table.getChild(f.sum).toArray());
      res.arrow = { rows: String(table.numRows), sum: as };
    }
  }
} catch (err) {
  process.stderr.write(`readall: ${current}: ${err && err.message ? err.message : err}\n`);
  process.exit(1);
}
conn.closeSync();
instance.closeSync();
process.stdout.write(JSON.stringify(out) + '\n');
