/**
 * Manifests (the runtime's input, see src/runtime/protocol.ts) of N database
 * inputs, written by hand so the API benchmarks do not depend on synth.
 */
import * as fs from 'node:fs';
import { InputSpec, Manifest, MANIFEST_VERSION, REFERENCE_KEY } from '../../src/runtime/protocol';

/** Name of the i-th benchmark input. */
export function inputName(i: number): string {
  return `bench_input_${String(i).padStart(4, '0')}`;
}

/** The tables of an input; `revision` > 0 changes one indicator and adds a table. */
export function tablesOf(tables: number, revision = 0): Record<string, string> {
  const out: Record<string, string> = {};
  for (let t = 0; t < tables; t++) out[`table_${t}`] = 'xmin::text::bigint';
  if (revision > 0) {
    out.table_0 = `updated_at_r${revision}`;
    out[`added_r${revision}`] = 'xmin::text::bigint';
  }
  return out;
}

/** Every Nth input takes its server from a Terraform reference (issue 11: 100 of 1,000). */
export const REFERENCE_EVERY = 10;

/** The placeholder of the i-th input's server, when it is a reference. */
function serverOf(i: number): unknown {
  return i % REFERENCE_EVERY === 0
    ? { [REFERENCE_KEY]: `${inputName(i)}/configuration/server` }
    : `db${i}.internal.example`;
}

/** `ALOOMA_CDKTF_REFERENCES` for a manifest of `count` inputs, as the stack would pass it. */
export function referenceValues(count: number): Record<string, string> {
  const values: Record<string, string> = {};
  for (let i = 0; i < count; i += REFERENCE_EVERY)
    values[`${inputName(i)}/configuration/server`] = `db${i}.internal.example`;
  return values;
}

/** One ODBC input as the constructs would synthesize it. */
export function odbcInput(i: number, tables: number, revision = 0): InputSpec {
  return {
    name: inputName(i),
    type: 'ODBC',
    configuration: {
      server: serverOf(i),
      port: 5432,
      database: `shop_${i}`,
      schema: 'public',
      db_type: 'psql',
      user: 'alooma_reader',
      batch_size: 50_000,
      replication_type: 'incremental_load',
      auto_map: true,
      input_default_schema: 'BENCH',
      tables: tablesOf(tables, revision),
    },
    secrets: { password: { env: 'PG_PASSWORD' } },
    paused: false,
    removalPolicy: 'destroy',
  };
}

/** A manifest of `count` inputs; inputs listed in `changed` get `revision`. */
export function benchManifest(
  count: number,
  options: { tables?: number; changed?: ReadonlySet<number>; revision?: number; owner?: string } = {},
): Manifest {
  const inputs: InputSpec[] = [];
  for (let i = 0; i < count; i++) {
    inputs.push(odbcInput(i, options.tables ?? 20, options.changed?.has(i) ? (options.revision ?? 1) : 0));
  }
  return { version: MANIFEST_VERSION, owner: options.owner ?? 'bench', connection: {}, inputs };
}

/** Writes a manifest as JSON. */
export function writeManifest(file: string, manifest: Manifest): void {
  fs.writeFileSync(file, JSON.stringify(manifest));
}
