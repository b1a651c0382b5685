import { Construct } from 'constructs';
import {
  AloomaInputTypeName,
  CREATABLE_INPUT_TYPES,
  inputTypeProblem,
  isSystemInputType,
} from '../alooma/input-types';
import * as errors from './errors';
import { AloomaInputBase, AloomaInputCommonProps, RenderedInput } from './input-base';
import { AloomaSecret } from './secret';
import { checkSecret } from './private/checks';

export { AloomaInputType } from '../alooma/input-types';
export type { AloomaInputTypeName } from '../alooma/input-types';

/** Properties of an {@link AloomaInput}. */
export interface AloomaInputProps extends AloomaInputCommonProps {
  /** Alooma input type, e.g. `AloomaInputType.SALESFORCE`. */
  readonly type: AloomaInputTypeName;
  /**
   * Non-secret configuration, in the API's shape, e.g.
   * `{ awsBucketName: 'clickstream', filePrefix: 'events/' }`. Values under
   * secret-looking keys (passwords, tokens, oauth2, secret keys) are refused:
   * put them in `secrets`.
   *
   * @default {}
   */
  readonly configuration?: Readonly<Record<string, unknown>>;
  /**
   * Secret configuration fields, by top-level configuration key, e.g.
   * `{ oauth2: AloomaSecret.fromEnv('SALESFORCE_TOKEN') }`. Read at apply
   * time, never stored in the manifest or state.
   *
   * @default {}
   */
  readonly secrets?: Readonly<Record<string, AloomaSecret>>;
}

/**
 * Any Alooma input: a webhook (`RESTAPI`), `SALESFORCE`, `S3`, `MIXPANEL`,
 * `GOOGLE_SHEETS_STORAGE`, ... configured with a free-form record.
 *
 * @example
 * new AloomaInput(stack, 'Webhook', { name: 'webhook_events', type: AloomaInputType.RESTAPI });
 * new AloomaInput(stack, 'Clicks', {
 *   name: 'clickstream_s3',
 *   type: AloomaInputType.S3,
 *   configuration: { awsBucketName: 'clickstream', awsAccessKeyId: 'AKIA...', filePrefix: 'events/' },
 *   secrets: { awsSecretAccessKey: AloomaSecret.fromEnv('CLICKSTREAM_AWS_SECRET') },
 * });
 */
export class AloomaInput extends AloomaInputBase {
  private readonly configuration: Record<string, unknown>;
  private readonly secrets: Record<string, AloomaSecret>;

  constructor(scope: Construct, id: string, props: AloomaInputProps) {
    super(scope, id, String(props?.type), props);
    checkType(this, props.type);
    this.configuration = this.checkConfiguration('props.configuration', props.configuration, []);
    this.secrets = {};
    for (const [key, secret] of Object.entries(props.secrets ?? {})) {
      const field = `props.secrets.${key}`;
      if (key === '' || key.includes('.')) {
        throw errors.invalidProperty(this, field, key, 'a top-level configuration key (no dots)');
      }
      if (key in this.configuration) {
        throw errors.conflictingProperties(
          this,
          `${JSON.stringify(key)} is in both props.configuration and props.secrets`,
          'Keep it in secrets only',
        );
      }
      this.secrets[key] = checkSecret(this, field, secret);
    }
    // Nothing can be added later: a configuration the API would refuse fails now.
    const problem = this.apiRuleProblem();
    if (problem) throw problem;
  }

  protected renderInput(): RenderedInput {
    return { configuration: this.configuration, secrets: this.secrets };
  }
}

function checkType(scope: Construct, type: unknown): void {
  if (typeof type === 'string' && isSystemInputType(type))
    throw errors.systemInputType(scope, type);
  if (inputTypeProblem(type) !== undefined) {
    throw errors.invalidProperty(
      scope,
      'props.type',
      type,
      `an Alooma input type: one of ${CREATABLE_INPUT_TYPES.join(', ')}`,
    );
  }
}
