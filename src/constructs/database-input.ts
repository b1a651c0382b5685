import { Fn } from './private/core';
import { escapeForHcl } from './private/references';
import { Construct } from 'constructs';
import * as errors from './errors';
import { AloomaInputBase, AloomaInputCommonProps, RenderedInput } from './input-base';
import { InputTable, InputTableProps, ITableHost, TABLE_HOST } from './input-table';
import { AloomaSecret } from './secret';
import { ODBC_FIELDS } from '../alooma/fields';
import { AloomaInputType } from '../alooma/input-types';
import {
  DATABASE_INPUT_PROPS as FIELD,
  DATABASE_SOURCE_PROPS as SOURCE,
} from '../alooma/input-props';
import {
  BATCH_SIZE,
  DB_TYPE,
  DEFAULT_BATCH_SIZE,
  ODBC_DB_TYPES,
  PORT,
  REPLICATION_TYPE,
  REPLICATION_TYPES,
} from '../alooma/rules';
import {
  checkCron,
  checkIntegerRule,
  checkJson,
  checkNoPlainSecrets,
  checkRecord,
  checkRule,
  checkSecret,
  checkString,
  isReference,
} from './private/checks';

/**
 * `db_type` of a database source: one of the engines Alooma reads
 * (src/alooma/rules.ts `ODBC_DB_TYPES`); others are refused at synth.
 */
export type DatabaseType = (typeof ODBC_DB_TYPES)[number];

/** How Alooma replicates the tables. */
export type ReplicationType = (typeof REPLICATION_TYPES)[number];

/** The database an {@link AloomaDatabaseInput} reads. */
export interface DatabaseSource {
  /** Host name or address of the database server. */
  readonly server: string;
  /** Port of the database server (1 to 65535). */
  readonly port: number;
  /** Database name. */
  readonly database: string;
  /**
   * Schema holding the tables.
   *
   * @default - not managed: the source's default schema
   */
  readonly schema?: string;
  /** Database engine (`db_type`), e.g. `psql`, `mysql`, `mssql`. */
  readonly dbType: DatabaseType;
  /** Database user Alooma logs in as. */
  readonly user: string;
  /** Password of `user`, read at apply time; never stored in the manifest or state. */
  readonly password: AloomaSecret;
}

/** Properties of an {@link AloomaDatabaseInput}. */
export interface AloomaDatabaseInputProps extends AloomaInputCommonProps {
  /** The source database and its credentials. */
  readonly source: DatabaseSource;
  /**
   * Tables to replicate: a map of table name to update indicator, e.g.
   * `{ orders: 'xmin::text::bigint' }`, or a list of `{ name, updateIndicator }`.
   * More can be added with `addTable()`. A Terraform reference to a whole map
   * (`Token.asStringMap(variable.value)`) is resolved at apply and merged with
   * the tables added in code.
   *
   * @default - none until `addTable()` is called
   */
  readonly tables?: Readonly<Record<string, string>> | readonly InputTableProps[];
  /**
   * How the tables are replicated.
   *
   * @default 'incremental_load'
   */
  readonly replicationType?: ReplicationType;
  /**
   * Rows pulled per batch (a positive integer).
   *
   * @default 100000
   */
  readonly batchSize?: number;
  /**
   * Cron expression of the replication schedule (`run_at`), e.g. `0 * * * *`.
   *
   * @default - not managed: Alooma's schedule
   */
  readonly runAt?: string;
  /**
   * SSH tunnel settings (`ssh`), e.g. `{ server: 'bastion.example', port: 22, user: 'alooma' }`.
   * Secrets are not accepted here.
   *
   * @default - not managed
   */
  readonly ssh?: Readonly<Record<string, unknown>>;
  /**
   * Further ODBC configuration fields, passed through as given. Keys managed
   * by the typed properties and secret-looking keys are refused.
   *
   * @default - none
   */
  readonly extraConfiguration?: Readonly<Record<string, unknown>>;
}

/**
 * An Alooma input that replicates tables of a database (type `ODBC`), as
 * managealooma's `create_input_database` and `add_table_to_input`.
 *
 * Adding, removing or changing a table, the batch size or any other setting
 * is an in-place update of the input; it never re-creates it.
 *
 * @example
 * const orders = new AloomaDatabaseInput(stack, 'Orders', {
 *   name: 'orders_db',
 *   source: {
 *     server: 'db.internal', port: 5432, database: 'shop', schema: 'public', dbType: 'psql',
 *     user: 'alooma_reader', password: AloomaSecret.fromEnv('ORDERS_DB_PASSWORD'),
 *   },
 *   tables: { orders: 'xmin::text::bigint' },
 * });
 * orders.addTable('order_items', 'xmin::text::bigint');
 */
export class AloomaDatabaseInput extends AloomaInputBase implements ITableHost {
  /** The Alooma input type. */
  public static readonly TYPE = AloomaInputType.ODBC;

  private readonly source: Omit<DatabaseSource, 'password'>;
  private readonly password: AloomaSecret;
  private readonly replicationType: ReplicationType;
  private readonly batchSize: number;
  private readonly runAt?: string;
  private readonly ssh?: Record<string, unknown>;
  /** A Terraform reference to a map of tables, merged with {@link tableMap} at apply. */
  private readonly tablesReference?: unknown;
  private readonly extraConfiguration: Record<string, unknown>;
  private readonly tableMap = new Map<string, InputTable>();

  constructor(scope: Construct, id: string, props: AloomaDatabaseInputProps) {
    super(scope, id, AloomaDatabaseInput.TYPE, props);
    Object.defineProperty(this, TABLE_HOST, { value: true });

    const source = checkRecord(this, 'props.source', props.source) as unknown as DatabaseSource;
    this.source = {
      server: checkString(this, 'props.source.server', source.server),
      port: checkIntegerRule(this, 'props.source.port', source.port, PORT),
      database: checkString(this, 'props.source.database', source.database),
      schema:
        source.schema === undefined
          ? undefined
          : checkString(this, 'props.source.schema', source.schema),
      dbType: checkRule(this, 'props.source.dbType', source.dbType, DB_TYPE),
      user: checkString(this, 'props.source.user', source.user),
    };
    this.password = checkSecret(this, 'props.source.password', source.password);
    this.replicationType =
      props.replicationType === undefined
        ? REPLICATION_TYPES[0]
        : checkRule(this, 'props.replicationType', props.replicationType, REPLICATION_TYPE);
    this.batchSize =
      props.batchSize === undefined
        ? DEFAULT_BATCH_SIZE
        : checkIntegerRule(this, 'props.batchSize', props.batchSize, BATCH_SIZE);
    this.runAt =
      props.runAt === undefined ? undefined : checkCron(this, 'props.runAt', props.runAt);
    if (isReference(props.ssh)) {
      this.ssh = props.ssh as Record<string, unknown>;
    } else if (props.ssh !== undefined) {
      this.ssh = checkJson(this, 'props.ssh', checkRecord(this, 'props.ssh', props.ssh)) as Record<
        string,
        unknown
      >;
      checkNoPlainSecrets(this, 'props.ssh', this.ssh);
    }
    this.extraConfiguration = this.checkConfiguration(
      'props.extraConfiguration',
      props.extraConfiguration,
      ODBC_FIELDS,
    );

    if (isReference(props.tables)) this.tablesReference = props.tables;
    else
      for (const table of tableList(this, props.tables))
        this.addTable(table.name, table.updateIndicator);
  }

  /**
   * Replicates one more table. `updateIndicator` is the column expression
   * Alooma compares to find new and changed rows, e.g. `xmin::text::bigint`.
   */
  public addTable(name: string, updateIndicator: string): InputTable {
    if (typeof name === 'string' && this.tableMap.has(name))
      throw errors.duplicateTable(this, name);
    return new InputTable(this, `Table:${String(name)}`, { name, updateIndicator });
  }

  /** The tables, name to update indicator, in the order they were added. */
  public get tables(): Readonly<Record<string, string>> {
    const out: Record<string, string> = {};
    for (const [name, table] of this.tableMap) out[name] = table.updateIndicator;
    return out;
  }

  /** Records a table created with this input as scope. Called by {@link InputTable}. */
  public registerTable(table: InputTable): void {
    if (this.tableMap.has(table.tableName)) throw errors.duplicateTable(table, table.tableName);
    this.tableMap.set(table.tableName, table);
  }

  protected renderInput(): RenderedInput {
    return {
      configuration: {
        ...this.extraConfiguration,
        [SOURCE.server]: this.source.server,
        [SOURCE.port]: this.source.port,
        [SOURCE.database]: this.source.database,
        ...(this.source.schema === undefined ? {} : { [SOURCE.schema]: this.source.schema }),
        [SOURCE.dbType]: this.source.dbType,
        [SOURCE.user]: this.source.user,
        [FIELD.batchSize]: this.batchSize,
        [FIELD.replicationType]: this.replicationType,
        [FIELD.tables]:
          this.tablesReference === undefined
            ? this.tables
            : this.tableMap.size === 0
              ? this.tablesReference
              : Fn.merge([this.tablesReference, escapeForHcl(this.tables)]),
        ...(this.runAt === undefined ? {} : { [FIELD.runAt]: this.runAt }),
        ...(this.ssh === undefined ? {} : { [FIELD.ssh]: this.ssh }),
      },
      secrets: { [SOURCE.password]: this.password },
    };
  }
}

function tableList(
  scope: Construct,
  tables: AloomaDatabaseInputProps['tables'],
): InputTableProps[] {
  if (tables === undefined) return [];
  if (Array.isArray(tables)) return [...(tables as readonly InputTableProps[])];
  const record = checkRecord(scope, 'props.tables', tables);
  return Object.entries(record).map(([name, updateIndicator]) => ({
    name,
    updateIndicator: updateIndicator as string,
  }));
}
