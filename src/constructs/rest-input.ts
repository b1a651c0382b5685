import { Construct } from 'constructs';
import { SecretRef } from '../runtime/protocol';
import { isSecretParameter } from '../runtime/secret-fields';
import * as errors from './errors';
import { AloomaInputBase, AloomaInputCommonProps, RenderedInput } from './input-base';
import {
  ITemplateHost,
  ParameterTemplate,
  ParameterTemplateProps,
  TEMPLATE_HOST,
} from './parameter-template';
import { AloomaSecret } from './secret';
import {
  checkCron,
  checkInteger,
  checkJson,
  checkName,
  checkNoPlainSecrets,
  checkOneOf,
  checkSecret,
  checkString,
  checkUrl,
} from './private/checks';

/** Type of a REST parameter: a literal, or a number of days before the run date. */
export type RestParameterType = 'Text' | 'Days Past';
/** HTTP method of the requests. */
export type RestRequestMethod = 'GET' | 'POST';

const PARAMETER_TYPES: readonly RestParameterType[] = ['Text', 'Days Past'];
const REQUEST_METHODS: readonly RestRequestMethod[] = ['GET', 'POST'];

/** One query parameter of an {@link AloomaRestInput}. */
export interface RestParameterOptions {
  /** Name of the parameter in the request. */
  readonly parameter: string;
  /**
   * `Text` sends `value` as is; `Days Past` sends the date `value` days
   * before the run, formatted by the parameter's template.
   *
   * @default 'Text'
   */
  readonly type?: RestParameterType;
  /**
   * The value: a string, number or boolean (`Days Past`: a number of days).
   * Exactly one of `value` and `secretValue` is required.
   *
   * @default - none: `secretValue` is used
   */
  readonly value?: string | number | boolean;
  /**
   * The value, when it is a secret (an API key, a session id): read at apply
   * time, never stored in the manifest or state.
   *
   * @default - none: `value` is used
   */
  readonly secretValue?: AloomaSecret;
  /**
   * strftime template of the value. A {@link ParameterTemplate} can set it too
   * (not both).
   *
   * @default - no template
   */
  readonly template?: string;
}

/** Pagination of an {@link AloomaRestInput}. */
export interface RestPagination {
  /** Pagination scheme (`pagination_type`), e.g. `Incremental`. */
  readonly type: string;
  /**
   * Query parameter carrying the page (`page_parameter`).
   *
   * @default - not managed
   */
  readonly pageParameter?: string;
  /**
   * Step between pages (`increment`).
   *
   * @default - not managed
   */
  readonly increment?: number;
  /**
   * First page (`initial_value`).
   *
   * @default - not managed
   */
  readonly initialValue?: number;
}

/** Properties of an {@link AloomaRestInput}. */
export interface AloomaRestInputProps extends AloomaInputCommonProps {
  /** URL requested, http or https (`base_url`). */
  readonly baseUrl: string;
  /**
   * HTTP method (`request`).
   *
   * @default 'GET'
   */
  readonly request?: RestRequestMethod;
  /**
   * Request headers, as the API stores them (a list of objects). Secrets are
   * not accepted here.
   *
   * @default - not managed
   */
  readonly headers?: readonly Readonly<Record<string, unknown>>[];
  /**
   * User of HTTP basic authentication (`username`).
   *
   * @default - not managed
   */
  readonly username?: string;
  /**
   * Password of HTTP basic authentication, read at apply time.
   *
   * @default - not managed
   */
  readonly password?: AloomaSecret;
  /**
   * Fields identifying a record (`primary_keys`).
   *
   * @default - not managed
   */
  readonly primaryKeys?: readonly string[];
  /**
   * Field of the response holding the records (`data_field`).
   *
   * @default - not managed: the whole response
   */
  readonly dataField?: string;
  /**
   * Minutes between runs (`frequency`), a positive number.
   *
   * @default - not managed
   */
  readonly frequency?: number;
  /**
   * Cron expression of the runs (`cron_expression`), e.g. `0 * * * *`.
   *
   * @default - not managed
   */
  readonly cronExpression?: string;
  /**
   * Pagination of the responses.
   *
   * @default - not managed
   */
  readonly pagination?: RestPagination;
  /**
   * Query parameters; more can be added with `addParameter()`.
   *
   * @default - none
   */
  readonly parameters?: readonly RestParameterOptions[];
  /**
   * strftime templates of parameters; more can be added with `addTemplate()`.
   *
   * @default - none
   */
  readonly templates?: readonly ParameterTemplateProps[];
  /**
   * Further REST_INPUT configuration fields, passed through as given. Keys
   * managed by the typed properties and secret-looking keys are refused.
   *
   * @default - none
   */
  readonly extraConfiguration?: Readonly<Record<string, unknown>>;
}

/** REST_INPUT configuration keys the typed properties manage. */
const TYPED_KEYS: readonly string[] = [
  'base_url',
  'request',
  'headers',
  'username',
  'password',
  'primary_keys',
  'data_field',
  'frequency',
  'cron_expression',
  'pagination_type',
  'page_parameter',
  'increment',
  'initial_value',
  'parameters',
];

interface ParameterState {
  readonly parameter: string;
  readonly type: RestParameterType;
  readonly value?: unknown;
  readonly secret?: SecretRef;
  readonly template?: string;
}

interface FieldEdit {
  readonly parameter: string;
  readonly field: string;
  readonly value: unknown;
}

/**
 * An Alooma input that polls a REST API (type `REST_INPUT`).
 *
 * Parameters are identified by name: adding, removing or editing one is an
 * in-place update of the input, shown per parameter in `cdktf diff`.
 *
 * @example
 * const events = new AloomaRestInput(stack, 'Events', {
 *   name: 'mixpanel_engage',
 *   baseUrl: 'https://mixpanel.com/api/2.0/engage',
 *   dataField: 'results',
 * });
 * events.addParameter({ parameter: 'session_id', secretValue: AloomaSecret.fromEnv('MIXPANEL_SESSION') });
 * events.addParameter({ parameter: 'from_date', type: 'Days Past', value: 2 });
 * events.addTemplate('%Y-%m-%d', 'from_date');
 */
export class AloomaRestInput extends AloomaInputBase implements ITemplateHost {
  /** The Alooma input type. */
  public static readonly TYPE = 'REST_INPUT';

  private readonly fixed: Record<string, unknown>;
  private readonly passwordRef?: SecretRef;
  private readonly extraConfiguration: Record<string, unknown>;
  private readonly parameterMap = new Map<string, ParameterState>();
  private readonly templates: ParameterTemplate[] = [];
  private readonly edits: FieldEdit[] = [];

  constructor(scope: Construct, id: string, props: AloomaRestInputProps) {
    super(scope, id, AloomaRestInput.TYPE, props);
    Object.defineProperty(this, TEMPLATE_HOST, { value: true });

    const pagination = props.pagination;
    this.fixed = {
      base_url: checkUrl(this, 'props.baseUrl', props.baseUrl),
      request:
        props.request === undefined
          ? 'GET'
          : checkOneOf(this, 'props.request', props.request, REQUEST_METHODS),
      ...optional('headers', props.headers, () => this.checkHeaders(props.headers)),
      ...optional('username', props.username, () =>
        checkString(this, 'props.username', props.username),
      ),
      ...optional('primary_keys', props.primaryKeys, () =>
        this.checkStringList('props.primaryKeys', props.primaryKeys),
      ),
      ...optional('data_field', props.dataField, () =>
        checkString(this, 'props.dataField', props.dataField),
      ),
      ...optional('frequency', props.frequency, () =>
        checkPositive(this, 'props.frequency', props.frequency),
      ),
      ...optional('cron_expression', props.cronExpression, () =>
        checkCron(this, 'props.cronExpression', props.cronExpression),
      ),
      ...(pagination === undefined
        ? {}
        : {
            pagination_type: checkString(this, 'props.pagination.type', pagination.type),
            ...optional('page_parameter', pagination.pageParameter, () =>
              checkString(this, 'props.pagination.pageParameter', pagination.pageParameter),
            ),
            ...optional('increment', pagination.increment, () =>
              checkFinite(this, 'props.pagination.increment', pagination.increment),
            ),
            ...optional('initial_value', pagination.initialValue, () =>
              checkFinite(this, 'props.pagination.initialValue', pagination.initialValue),
            ),
          }),
    };
    this.passwordRef =
      props.password === undefined
        ? undefined
        : checkSecret(this, 'props.password', props.password);
    this.extraConfiguration =
      props.extraConfiguration === undefined
        ? {}
        : this.checkConfiguration('props.extraConfiguration', props.extraConfiguration, TYPED_KEYS);

    for (const parameter of props.parameters ?? []) this.addParameter(parameter);
    for (const template of props.templates ?? [])
      this.addTemplate(template.template, template.parameters);
    this.node.addValidation({ validate: () => this.validateParameters() });
  }

  /** Adds a query parameter. */
  public addParameter(options: RestParameterOptions): void {
    const name = checkName(this, 'parameter', options?.parameter);
    const field = `parameter ${errors.quote(name)}`;
    if (this.parameterMap.has(name)) throw errors.duplicateParameter(this, name);
    const type =
      options.type === undefined
        ? 'Text'
        : checkOneOf(this, `${field} type`, options.type, PARAMETER_TYPES);
    if (options.value !== undefined && options.secretValue !== undefined) {
      throw errors.conflictingProperties(
        this,
        `${field} sets both value and secretValue`,
        'Set exactly one of them',
      );
    }
    if (options.value === undefined && options.secretValue === undefined) {
      throw errors.invalidProperty(
        this,
        `${field} value`,
        undefined,
        'a value, or a secretValue for a secret',
      );
    }
    let value: unknown;
    let secret: SecretRef | undefined;
    if (options.secretValue !== undefined) {
      secret = checkSecret(this, `${field} secretValue`, options.secretValue);
    } else {
      value = this.checkParameterValue(name, type, options.value);
    }
    const template =
      options.template === undefined
        ? undefined
        : checkString(this, `${field} template`, options.template);
    this.parameterMap.set(name, { parameter: name, type, value, secret, template });
  }

  /**
   * Sets one field of a parameter, as managealooma's
   * `edit_parameter_configuration` (e.g. `setParameterField('from_date',
   * 'value', 10)`). Applied after the parameter's own fields and templates,
   * in call order; the parameter may be added later (validation checks it
   * exists).
   */
  public setParameterField(parameter: string, field: string, value: unknown): void {
    const name = checkName(this, 'setParameterField parameter', parameter);
    const fieldName = checkName(this, 'setParameterField field', field);
    const label = `setParameterField(${errors.quote(name)}, ${errors.quote(fieldName)})`;
    if (fieldName === 'parameter') {
      throw errors.conflictingProperties(
        this,
        `${label} would rename the parameter`,
        'Declare the parameter under its new name instead',
      );
    }
    if (fieldName === 'secret') {
      throw errors.invalidProperty(
        this,
        label,
        value,
        'nothing: give the parameter a secretValue to make it secret',
      );
    }
    let checked: unknown;
    if (fieldName === 'type') checked = checkOneOf(this, `${label} value`, value, PARAMETER_TYPES);
    else if (fieldName === 'template') checked = checkString(this, `${label} value`, value);
    else if (fieldName === 'value') {
      if (isSecretParameter({ parameter: name }))
        throw errors.plainSecret(this, label, [`parameters.${name}.value`]);
      checked = checkJson(this, `${label} value`, value);
    } else checked = checkJson(this, `${label} value`, value);
    this.edits.push({ parameter: name, field: fieldName, value: checked });
  }

  /**
   * Applies a strftime template (e.g. `%Y-%m-%d`) to one or several
   * parameters, as managealooma's `add_template_to_parameter_configuration`.
   */
  public addTemplate(template: string, parameters: string | readonly string[]): ParameterTemplate {
    let index = this.templates.length;
    while (this.node.tryFindChild(`Template${index}`) !== undefined) index++;
    return new ParameterTemplate(this, `Template${index}`, { template, parameters });
  }

  /** Records a template created with this input as scope. Called by {@link ParameterTemplate}. */
  public registerTemplate(template: ParameterTemplate): void {
    this.templates.push(template);
  }

  /** Names of the declared parameters, in declaration order. */
  public parameterNames(): string[] {
    return [...this.parameterMap.keys()];
  }

  protected renderInput(): RenderedInput {
    const secrets: Record<string, SecretRef> = {};
    if (this.passwordRef) secrets.password = this.passwordRef;
    const parameters = this.renderParameters();
    for (const p of this.parameterMap.values()) {
      if (p.secret) secrets[`parameters.${p.parameter}.value`] = p.secret;
    }
    return {
      configuration: {
        ...this.extraConfiguration,
        ...this.fixed,
        ...(parameters.length > 0 ? { parameters } : {}),
      },
      secrets,
    };
  }

  /** Parameters as a map keyed by name, so the plan shows a change per parameter, not a list diff. */
  protected planConfiguration(
    configuration: Readonly<Record<string, unknown>>,
  ): Readonly<Record<string, unknown>> {
    const parameters = configuration.parameters as Record<string, unknown>[] | undefined;
    if (!parameters) return configuration;
    const byName: Record<string, unknown> = {};
    for (const { parameter, secret: _secret, ...rest } of parameters)
      byName[parameter as string] = rest;
    return { ...configuration, parameters: byName };
  }

  /** Parameters in the API's shape, templates and field edits applied. */
  private renderParameters(): Record<string, unknown>[] {
    const templates = new Map<string, string>();
    for (const t of this.templates) for (const p of t.parameters) templates.set(p, t.template);
    const rendered = new Map<string, Record<string, unknown>>();
    for (const p of this.parameterMap.values()) {
      const template = templates.get(p.parameter) ?? p.template;
      rendered.set(p.parameter, {
        parameter: p.parameter,
        type: p.type,
        ...(p.value === undefined ? {} : { value: p.value }),
        ...(template === undefined ? {} : { template }),
        // The shared secret rules recognise secret parameters by name; flag the others.
        ...(p.secret && !isSecretParameter({ parameter: p.parameter }) ? { secret: true } : {}),
      });
    }
    for (const edit of this.edits) {
      const entry = rendered.get(edit.parameter);
      if (entry) entry[edit.field] = edit.value;
    }
    return [...rendered.values()];
  }

  private validateParameters(): string[] {
    const problems: string[] = [];
    const known = this.parameterNames();
    const unknown = [
      ...new Set(this.edits.map((e) => e.parameter).filter((p) => !this.parameterMap.has(p))),
    ];
    if (unknown.length > 0)
      problems.push(errors.unknownParameter(this, 'setParameterField', unknown, known).message);
    for (const edit of this.edits) {
      if (edit.field === 'value' && this.parameterMap.get(edit.parameter)?.secret) {
        problems.push(
          errors.conflictingProperties(
            this,
            `setParameterField(${errors.quote(edit.parameter)}, "value") sets a plain value on a parameter with a secretValue`,
            'Change the secret instead (bump its version to rotate it)',
          ).message,
        );
      }
    }
    const templatedBy = new Map<string, string[]>();
    for (const t of this.templates) {
      for (const p of t.parameters)
        templatedBy.set(p, [...(templatedBy.get(p) ?? []), t.node.path]);
    }
    for (const [parameter, paths] of templatedBy) {
      const own = this.parameterMap.get(parameter)?.template !== undefined;
      if (paths.length > 1 || own) {
        problems.push(
          errors.conflictingProperties(
            this,
            `parameter ${errors.quote(parameter)} gets a template from ${[...(own ? ['its own template option'] : []), ...paths].join(' and ')}`,
            'Give each parameter at most one template',
          ).message,
        );
      }
    }
    return problems;
  }

  private checkParameterValue(name: string, type: RestParameterType, value: unknown): unknown {
    const field = `parameter ${errors.quote(name)} value`;
    if (isSecretParameter({ parameter: name }))
      throw errors.plainSecret(this, `parameter ${errors.quote(name)}`, [
        `parameters.${name}.value`,
      ]);
    if (type === 'Days Past') return checkInteger(this, field, value, 0, Number.MAX_SAFE_INTEGER);
    if (typeof value !== 'string' && typeof value !== 'number' && typeof value !== 'boolean') {
      throw errors.invalidProperty(this, field, value, 'a string, number or boolean');
    }
    return checkJson(this, field, value);
  }

  private checkHeaders(headers: unknown): unknown[] {
    if (!Array.isArray(headers))
      throw errors.invalidProperty(this, 'props.headers', headers, 'a list of header objects');
    const checked = checkJson(this, 'props.headers', headers) as unknown[];
    checkNoPlainSecrets(this, 'props.headers', { headers: checked });
    return checked;
  }

  private checkStringList(field: string, values: unknown): string[] {
    if (!Array.isArray(values))
      throw errors.invalidProperty(this, field, values, 'a list of strings');
    return values.map((v, i) => checkString(this, `${field}[${i}]`, v));
  }
}

/** `{ [key]: produce() }` when `value` is set, `{}` otherwise. */
function optional(key: string, value: unknown, produce: () => unknown): Record<string, unknown> {
  return value === undefined ? {} : { [key]: produce() };
}

function checkPositive(scope: Construct, field: string, value: unknown): number {
  const number = checkFinite(scope, field, value);
  if (number <= 0) throw errors.invalidProperty(scope, field, value, 'a positive number');
  return number;
}

function checkFinite(scope: Construct, field: string, value: unknown): number {
  if (typeof value !== 'number') throw errors.invalidProperty(scope, field, value, 'a number');
  return checkJson(scope, field, value) as number;
}
