import { Construct, IConstruct } from 'constructs';
import * as errors from './errors';
import { STRFTIME_TEMPLATE } from '../alooma/rules';
import { checkName, checkRule } from './private/checks';

/** Brand of the constructs that hold parameter templates (AloomaRestInput), shared by Symbol.for without an import cycle. */
export const TEMPLATE_HOST = Symbol.for('alooma-cdktf.TemplateHost');

/** A construct that holds {@link ParameterTemplate}s. */
export interface ITemplateHost extends IConstruct {
  /** Records a template. */
  registerTemplate(template: ParameterTemplate): void;
  /** Names of the declared parameters, in declaration order. */
  parameterNames(): string[];
}

/** Properties of a {@link ParameterTemplate}. */
export interface ParameterTemplateProps {
  /**
   * strftime template applied to the parameters' values, e.g. `%Y-%m-%d` or
   * `properties["$last_seen"]>="%Y-%m-%dT00:00:00"`.
   */
  readonly template: string;
  /** The parameter, or parameters, the template applies to. */
  readonly parameters: string | readonly string[];
}

/**
 * A strftime template applied to one or several parameters of an
 * `AloomaRestInput`, as managealooma's
 * `add_template_to_parameter_configuration`. Create it with
 * `input.addTemplate(template, parameters)`, through the input's `templates`
 * prop, or directly with the input as scope.
 *
 * Naming a parameter the input does not declare fails validation.
 */
export class ParameterTemplate extends Construct {
  /** The strftime template. */
  public readonly template: string;
  /** The parameters it applies to. */
  public readonly parameters: readonly string[];

  constructor(scope: Construct, id: string, props: ParameterTemplateProps) {
    super(scope, id);
    if (!isTemplateHost(scope))
      throw errors.invalidScope(this, 'ParameterTemplate', 'AloomaRestInput');
    this.template = checkRule(this, 'props.template', props.template, STRFTIME_TEMPLATE);
    const parameters = typeof props.parameters === 'string' ? [props.parameters] : props.parameters;
    if (!Array.isArray(parameters) || parameters.length === 0) {
      throw errors.invalidProperty(
        this,
        'props.parameters',
        parameters,
        'a parameter name or a non-empty list of them',
      );
    }
    this.parameters = parameters.map((p, i) => checkName(this, `props.parameters[${i}]`, p));
    const repeated = this.parameters.find((p, i) => this.parameters.indexOf(p) !== i);
    if (repeated !== undefined) {
      throw errors.invalidProperty(
        this,
        'props.parameters',
        parameters,
        `a list naming ${errors.quote(repeated)} once`,
      );
    }
    scope.registerTemplate(this);
    this.node.addValidation({
      validate: () => {
        const known = scope.parameterNames();
        const missing = this.parameters.filter((p) => !known.includes(p));
        return missing.length === 0
          ? []
          : [
              errors.unknownParameter(
                this,
                `template ${errors.quote(this.template)}`,
                missing,
                known,
              ).message,
            ];
      },
    });
  }
}

function isTemplateHost(scope: IConstruct): scope is ITemplateHost {
  return (
    TEMPLATE_HOST in scope &&
    typeof (scope as Partial<ITemplateHost>).registerTemplate === 'function'
  );
}
