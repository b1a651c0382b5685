import { Construct, IConstruct } from 'constructs';
import * as errors from './errors';
import { UPDATE_INDICATOR } from '../alooma/rules';
import { checkName, checkRule, isReference } from './private/checks';

/** Brand of the constructs that hold tables (AloomaDatabaseInput), shared by Symbol.for without an import cycle. */
export const TABLE_HOST = Symbol.for('alooma-cdktf.TableHost');

/** A construct that holds {@link InputTable}s. */
export interface ITableHost extends IConstruct {
  /** Records a table; throws when its name is already taken. */
  registerTable(table: InputTable): void;
}

/** Properties of an {@link InputTable}. */
export interface InputTableProps {
  /** Name of the table in the source database. */
  readonly name: string;
  /**
   * Column expression Alooma compares to find new and changed rows, e.g.
   * `xmin::text::bigint` (PostgreSQL) or `updated_at`.
   */
  readonly updateIndicator: string;
}

/**
 * One table replicated by an `AloomaDatabaseInput`. Create it with
 * `input.addTable(name, updateIndicator)`, through the input's `tables`
 * prop, or directly with the input as scope.
 */
export class InputTable extends Construct {
  /** Name of the table in the source database. */
  public readonly tableName: string;
  /** Column expression Alooma compares to find new and changed rows. */
  public readonly updateIndicator: string;

  constructor(scope: Construct, id: string, props: InputTableProps) {
    super(scope, id);
    if (!isTableHost(scope)) throw errors.invalidScope(this, 'InputTable', 'AloomaDatabaseInput');
    this.tableName = checkName(this, 'props.name', props.name);
    const indicator: unknown = props.updateIndicator;
    if (isReference(indicator)) {
      // Known at apply, where the runtime checks it like a literal one.
      this.updateIndicator = indicator as string;
      scope.registerTable(this);
      return;
    }
    if (typeof indicator !== 'string' || indicator.trim() === '') {
      throw errors.missingUpdateIndicator(this, this.tableName, indicator);
    }
    this.updateIndicator = checkRule(this, 'props.updateIndicator', indicator, UPDATE_INDICATOR);
    scope.registerTable(this);
  }
}

function isTableHost(scope: IConstruct): scope is ITableHost {
  return TABLE_HOST in scope && typeof (scope as Partial<ITableHost>).registerTable === 'function';
}
