import { Construct } from 'constructs';
import { REST_INPUT_FIELDS } from '../alooma/fields';
import { AloomaInputType } from '../alooma/input-types';
import { REST_INPUT_PROPS as FIELD, REST_PAGINATION_PROPS as PAGE } from '../alooma/input-props';
import {
  FINITE_NUMBER,
  OBJECT_LIST,
  POSITIVE_NUMBER,
  REQUEST_METHOD,
  REST_REQUEST_METHODS,
  STRING_LIST,
} from '../alooma/rules';
import { AloomaInputBase, AloomaInputCommonProps, RenderedInput } from './input-base';
import {
  ITemplateHost,
  ParameterTemplate,
  ParameterTemplateProps,
  TEMPLATE_HOST,
} from './parameter-template';
import { AppliedTemplate, RestParameterOptions, RestParameterSet } from './rest-parameter';
import { AloomaSecret } from './secret';
import {
  checkCron,
  checkJson,
  checkNoPlainSecrets,
  checkRule,
  checkSecret,
  checkString,
  checkUrl,
} from './private/checks';

export type { RestParameterOptions, RestParameterType } from './rest-parameter';

/** HTTP method of the requests. */
export type RestRequestMethod = (typeof REST_REQUEST_METHODS)[number];

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
  public static readonly TYPE = AloomaInputType.REST_INPUT;

  private readonly fixed: Record<string, unknown>;
  private readonly passwordRef?: AloomaSecret;
  private readonly extraConfiguration: Record<string, unknown>;
  private readonly parameters = new RestParameterSet(this);
  private readonly templates: ParameterTemplate[] = [];

  constructor(scope: Construct, id: string, props: AloomaRestInputProps) {
    super(scope, id, AloomaRestInput.TYPE, props);
    Object.defineProperty(this, TEMPLATE_HOST, { value: true });

    const pagination = props.pagination;
    this.fixed = {
      [FIELD.baseUrl]: checkUrl(this, 'props.baseUrl', props.baseUrl),
      [FIELD.request]:
        props.request === undefined
          ? 'GET'
          : checkRule(this, 'props.request', props.request, REQUEST_METHOD),
      ...optional(FIELD.headers, props.headers, () => this.checkHeaders(props.headers)),
      ...optional(FIELD.username, props.username, () =>
        checkString(this, 'props.username', props.username),
      ),
      ...optional(FIELD.primaryKeys, props.primaryKeys, () =>
        checkRule(this, 'props.primaryKeys', props.primaryKeys, STRING_LIST),
      ),
      ...optional(FIELD.dataField, props.dataField, () =>
        checkString(this, 'props.dataField', props.dataField),
      ),
      ...optional(FIELD.frequency, props.frequency, () =>
        checkRule(this, 'props.frequency', props.frequency, POSITIVE_NUMBER),
      ),
      ...optional(FIELD.cronExpression, props.cronExpression, () =>
        checkCron(this, 'props.cronExpression', props.cronExpression),
      ),
      ...(pagination === undefined
        ? {}
        : {
            [PAGE.type]: checkString(this, 'props.pagination.type', pagination.type),
            ...optional(PAGE.pageParameter, pagination.pageParameter, () =>
              checkString(this, 'props.pagination.pageParameter', pagination.pageParameter),
            ),
            ...optional(PAGE.increment, pagination.increment, () =>
              checkRule(this, 'props.pagination.increment', pagination.increment, FINITE_NUMBER),
            ),
            ...optional(PAGE.initialValue, pagination.initialValue, () =>
              checkRule(
                this,
                'props.pagination.initialValue',
                pagination.initialValue,
                FINITE_NUMBER,
              ),
            ),
          }),
    };
    this.passwordRef =
      props.password === undefined
        ? undefined
        : checkSecret(this, 'props.password', props.password);
    this.extraConfiguration = this.checkConfiguration(
      'props.extraConfiguration',
      props.extraConfiguration,
      REST_INPUT_FIELDS,
    );

    for (const parameter of props.parameters ?? []) this.addParameter(parameter);
    for (const template of props.templates ?? [])
      this.addTemplate(template.template, template.parameters);
    this.node.addValidation({
      validate: () => this.parameters.validate(this.appliedTemplates()),
    });
  }

  /** Adds a query parameter. */
  public addParameter(options: RestParameterOptions): void {
    this.parameters.add(options);
  }

  /**
   * Sets one field of a parameter, as managealooma's
   * `edit_parameter_configuration` (e.g. `setParameterField('from_date',
   * 'value', 10)`). Applied after the parameter's own fields and templates,
   * in call order; the parameter may be added later (validation checks it
   * exists).
   */
  public setParameterField(parameter: string, field: string, value: unknown): void {
    this.parameters.setField(parameter, field, value);
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
    return this.parameters.names();
  }

  protected renderInput(): RenderedInput {
    const secrets: Record<string, AloomaSecret> = { ...this.parameters.secrets() };
    if (this.passwordRef) secrets[FIELD.password] = this.passwordRef;
    const parameters = this.parameters.render(this.appliedTemplates());
    return {
      configuration: {
        ...this.extraConfiguration,
        ...this.fixed,
        ...(parameters.length > 0 ? { [FIELD.parameters]: parameters } : {}),
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

  private appliedTemplates(): AppliedTemplate[] {
    return this.templates.map((t) => ({
      template: t.template,
      parameters: t.parameters,
      path: t.node.path,
    }));
  }

  private checkHeaders(headers: unknown): unknown[] {
    checkRule(this, 'props.headers', headers, OBJECT_LIST);
    const checked = checkJson(this, 'props.headers', headers) as unknown[];
    checkNoPlainSecrets(this, 'props.headers', { headers: checked });
    return checked;
  }
}

/** `{ [key]: produce() }` when `value` is set, `{}` otherwise. */
function optional(key: string, value: unknown, produce: () => unknown): Record<string, unknown> {
  return value === undefined ? {} : { [key]: produce() };
}
