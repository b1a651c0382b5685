/**
 * Query parameters of an `AloomaRestInput`: the options a user writes, and
 * the set that checks them, applies templates and field edits, and renders
 * them in the API's shape. Kept apart from the construct, which only wires
 * props and children to it.
 */
import { IConstruct } from 'constructs';
import {
  PARAMETER_TYPE,
  parameterValueRule,
  REST_PARAMETER_TYPES,
  STRFTIME_TEMPLATE,
} from '../alooma/rules';
import { isSecretParameter, parameterSecretPath } from '../alooma/secret-fields';
import * as errors from './errors';
import { AloomaSecret } from './secret';
import { checkJson, checkName, checkRule, checkSecret } from './private/checks';

/** Type of a REST parameter: a literal, or a number of days before the run date. */
export type RestParameterType = (typeof REST_PARAMETER_TYPES)[number];

/** One query parameter of an `AloomaRestInput`. */
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
   * strftime template of the value. A `ParameterTemplate` can set it too
   * (not both).
   *
   * @default - no template
   */
  readonly template?: string;
}

/** A template applied to parameters, with the path of the construct that applies it. */
export interface AppliedTemplate {
  readonly template: string;
  readonly parameters: readonly string[];
  readonly path: string;
}

interface ParameterState {
  readonly parameter: string;
  readonly type: RestParameterType;
  readonly value?: unknown;
  readonly secret?: AloomaSecret;
  readonly template?: string;
}

interface FieldEdit {
  readonly parameter: string;
  readonly field: string;
  readonly value: unknown;
}

/** The parameters of one REST input, checked as they are added. */
export class RestParameterSet {
  private readonly parameters = new Map<string, ParameterState>();
  private readonly edits: FieldEdit[] = [];

  /** @param owner the construct errors are reported on */
  constructor(private readonly owner: IConstruct) {}

  /** Names of the declared parameters, in declaration order. */
  public names(): string[] {
    return [...this.parameters.keys()];
  }

  /** Adds a parameter; throws at once on a bad or duplicate one. */
  public add(options: RestParameterOptions): void {
    const scope = this.owner;
    const name = checkName(scope, 'parameter', options?.parameter);
    const field = `parameter ${errors.quote(name)}`;
    if (this.parameters.has(name)) throw errors.duplicateParameter(scope, name);
    const type =
      options.type === undefined
        ? REST_PARAMETER_TYPES[0]
        : checkRule<RestParameterType>(scope, `${field} type`, options.type, PARAMETER_TYPE);
    if (options.value !== undefined && options.secretValue !== undefined) {
      throw errors.conflictingProperties(
        scope,
        `${field} sets both value and secretValue`,
        'Set exactly one of them',
      );
    }
    if (options.value === undefined && options.secretValue === undefined) {
      throw errors.invalidProperty(
        scope,
        `${field} value`,
        undefined,
        'a value, or a secretValue for a secret',
      );
    }
    let value: unknown;
    let secret: AloomaSecret | undefined;
    if (options.secretValue !== undefined) {
      secret = checkSecret(scope, `${field} secretValue`, options.secretValue);
    } else {
      value = this.checkValue(name, type, options.value);
    }
    const template =
      options.template === undefined
        ? undefined
        : checkRule<string>(scope, `${field} template`, options.template, STRFTIME_TEMPLATE);
    this.parameters.set(name, { parameter: name, type, value, secret, template });
  }

  /** Records an edit of one field of a parameter (`setParameterField`); checked now, applied at render. */
  public setField(parameter: string, field: string, value: unknown): void {
    const scope = this.owner;
    const name = checkName(scope, 'setParameterField parameter', parameter);
    const fieldName = checkName(scope, 'setParameterField field', field);
    const label = `setParameterField(${errors.quote(name)}, ${errors.quote(fieldName)})`;
    if (fieldName === 'parameter') {
      throw errors.conflictingProperties(
        scope,
        `${label} would rename the parameter`,
        'Declare the parameter under its new name instead',
      );
    }
    if (fieldName === 'secret') {
      throw errors.invalidProperty(
        scope,
        label,
        value,
        'nothing: give the parameter a secretValue to make it secret',
      );
    }
    let checked: unknown;
    if (fieldName === 'type') checked = checkRule(scope, `${label} value`, value, PARAMETER_TYPE);
    else if (fieldName === 'template')
      checked = checkRule(scope, `${label} value`, value, STRFTIME_TEMPLATE);
    else if (fieldName === 'value') {
      if (isSecretParameter({ parameter: name }))
        throw errors.plainSecret(scope, label, [parameterSecretPath(name)]);
      checked = checkJson(scope, `${label} value`, value);
    } else checked = checkJson(scope, `${label} value`, value);
    this.edits.push({ parameter: name, field: fieldName, value: checked });
  }

  /** Secret references of secret-valued parameters, by path (`parameters.<name>.value`). */
  public secrets(): Record<string, AloomaSecret> {
    const secrets: Record<string, AloomaSecret> = {};
    for (const p of this.parameters.values()) {
      if (p.secret) secrets[parameterSecretPath(p.parameter)] = p.secret;
    }
    return secrets;
  }

  /** Parameters in the API's shape, templates and field edits applied. */
  public render(templates: readonly AppliedTemplate[]): Record<string, unknown>[] {
    const templateOf = new Map<string, string>();
    for (const t of templates) for (const p of t.parameters) templateOf.set(p, t.template);
    const rendered = new Map<string, Record<string, unknown>>();
    for (const p of this.parameters.values()) {
      const template = templateOf.get(p.parameter) ?? p.template;
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

  /** Problems that need the whole input: edits of unknown parameters, conflicting templates. */
  public validate(templates: readonly AppliedTemplate[]): string[] {
    const scope = this.owner;
    const problems: string[] = [];
    const unknown = [
      ...new Set(this.edits.map((e) => e.parameter).filter((p) => !this.parameters.has(p))),
    ];
    if (unknown.length > 0) {
      problems.push(
        errors.unknownParameter(scope, 'setParameterField', unknown, this.names()).message,
      );
    }
    for (const edit of this.edits) {
      if (edit.field === 'value' && this.parameters.get(edit.parameter)?.secret) {
        problems.push(
          errors.conflictingProperties(
            scope,
            `setParameterField(${errors.quote(edit.parameter)}, "value") sets a plain value on a parameter with a secretValue`,
            'Change the secret instead (bump its version to rotate it)',
          ).message,
        );
      }
    }
    const templatedBy = new Map<string, string[]>();
    for (const t of templates) {
      for (const p of t.parameters) templatedBy.set(p, [...(templatedBy.get(p) ?? []), t.path]);
    }
    for (const [parameter, paths] of templatedBy) {
      const own = this.parameters.get(parameter)?.template !== undefined;
      if (paths.length > 1 || own) {
        problems.push(
          errors.conflictingProperties(
            scope,
            `parameter ${errors.quote(parameter)} gets a template from ${[...(own ? ['its own template option'] : []), ...paths].join(' and ')}`,
            'Give each parameter at most one template',
          ).message,
        );
      }
    }
    return problems;
  }

  private checkValue(name: string, type: RestParameterType, value: unknown): unknown {
    const scope = this.owner;
    const field = `parameter ${errors.quote(name)} value`;
    if (isSecretParameter({ parameter: name }))
      throw errors.plainSecret(scope, `parameter ${errors.quote(name)}`, [
        parameterSecretPath(name),
      ]);
    return checkRule(scope, field, value, parameterValueRule(type));
  }
}
