/**
 * `alooma_database_input`: a database read through ODBC (Alooma type ODBC),
 * as `AloomaDatabaseInput` declares it. Tables are a `map(string)` of table
 * name to update indicator on the input itself (a PUT replaces the whole
 * node, so a table is never a resource of its own). The password is
 * write-only: written on create and when `password_version` changes.
 */
import { AloomaInputType } from '../../alooma/input-types';
import { DEFAULT_BATCH_SIZE, ODBC_DB_TYPES, REPLICATION_TYPES } from '../../alooma/rules';
import { types } from '../framework';
import { writeOnlySecret } from './fields';
import { inputResource, type InputKind } from './input-resource';

const PASSWORD_SECRET = writeOnlySecret(
  'password',
  'password',
  'the password of the database user',
);

/** The kind behind `alooma_database_input`. */
export const databaseInputKind: InputKind = {
  typeName: 'alooma_database_input',
  description: 'An Alooma input that replicates tables of a database (ODBC).',
  apiType: AloomaInputType.ODBC,
  attributes: {
    server: {
      type: types.string,
      required: true,
      description: 'Host name or address of the database server.',
    },
    port: {
      type: types.number,
      required: true,
      description: 'TCP port of the database server (1 to 65535).',
    },
    database: { type: types.string, required: true, description: 'Name of the database.' },
    schema: {
      type: types.string,
      optional: true,
      description: "Schema to read; unset: the source's default.",
    },
    db_type: {
      type: types.string,
      required: true,
      description: `Kind of database: ${ODBC_DB_TYPES.join(', ')}.`,
    },
    user: { type: types.string, required: true, description: 'Database user Alooma logs in as.' },
    tables: {
      type: types.map(types.string),
      optional: true,
      description:
        'Tables to replicate: table name to update indicator (e.g. "xmin::text::bigint").',
    },
    replication_type: {
      type: types.string,
      optional: true,
      computed: true,
      default: REPLICATION_TYPES[0],
      description: `How tables are replicated: ${REPLICATION_TYPES.join(' or ')}. Default ${REPLICATION_TYPES[0]}.`,
    },
    batch_size: {
      type: types.number,
      optional: true,
      computed: true,
      default: DEFAULT_BATCH_SIZE,
      description: `Rows per batch. Default ${DEFAULT_BATCH_SIZE}: a change made in Alooma shows as drift.`,
    },
    run_at: {
      type: types.string,
      optional: true,
      description: "Cron schedule of the runs; unset: Alooma's schedule.",
    },
    ssh: {
      type: types.string,
      optional: true,
      description:
        'SSH tunnel, as the JSON text of an object (jsonencode({server = "bastion", port = 22})).',
    },
    ...PASSWORD_SECRET.attributes,
  },
  fields: [
    { attribute: 'server', api: 'server', codec: 'string' },
    { attribute: 'port', api: 'port', codec: 'number' },
    { attribute: 'database', api: 'database', codec: 'string' },
    { attribute: 'schema', api: 'schema', codec: 'string' },
    { attribute: 'db_type', api: 'db_type', codec: 'string' },
    { attribute: 'user', api: 'user', codec: 'string' },
    { attribute: 'tables', api: 'tables', codec: 'json_map' },
    { attribute: 'replication_type', api: 'replication_type', codec: 'string' },
    { attribute: 'batch_size', api: 'batch_size', codec: 'number' },
    { attribute: 'run_at', api: 'run_at', codec: 'string' },
    { attribute: 'ssh', api: 'ssh', codec: 'json_text' },
  ],
  secrets: [PASSWORD_SECRET.field],
};

/** `alooma_database_input`. */
export const databaseInput = inputResource(databaseInputKind);
