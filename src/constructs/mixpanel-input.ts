import { Construct } from 'constructs';
import { AloomaInputType } from '../alooma/input-types';
import { ISO_DATE } from '../alooma/rules';
import { MIXPANEL_INPUT_PROPS as FIELD } from '../alooma/input-props';
import { AloomaInputBase, AloomaInputCommonProps, RenderedInput } from './input-base';
import { AloomaSecret } from './secret';
import { checkRule, checkSecret, checkString } from './private/checks';

/** Properties of an {@link AloomaMixpanelInput}. */
export interface AloomaMixpanelInputProps extends AloomaInputCommonProps {
  /** Mixpanel project API key (`mixpanelApiKey`): an identifier, not a secret. */
  readonly apiKey: string;
  /** Mixpanel API secret (`mixpanelApiSecret`), read at apply time. */
  readonly apiSecret: AloomaSecret;
  /** First day exported (`fromDate`), `YYYY-MM-DD`. */
  readonly fromDate: string;
}

/**
 * An Alooma input that exports a Mixpanel project (type `MIXPANEL`), as the
 * official client's `create_mixpanel_input`.
 *
 * @example
 * new AloomaMixpanelInput(stack, 'Events', {
 *   name: 'mixpanel_events',
 *   apiKey: '0123abcd',
 *   apiSecret: AloomaSecret.fromEnv('MIXPANEL_API_SECRET'),
 *   fromDate: '2024-01-01',
 * });
 */
export class AloomaMixpanelInput extends AloomaInputBase {
  /** The Alooma input type. */
  public static readonly TYPE = AloomaInputType.MIXPANEL;

  private readonly configuration: Record<string, unknown>;
  private readonly apiSecret: AloomaSecret;

  constructor(scope: Construct, id: string, props: AloomaMixpanelInputProps) {
    super(scope, id, AloomaMixpanelInput.TYPE, props);
    this.configuration = {
      [FIELD.apiKey]: checkString(this, 'props.apiKey', props.apiKey),
      [FIELD.fromDate]: checkRule(this, 'props.fromDate', props.fromDate, ISO_DATE),
    };
    this.apiSecret = checkSecret(this, 'props.apiSecret', props.apiSecret);
  }

  protected renderInput(): RenderedInput {
    return { configuration: this.configuration, secrets: { [FIELD.apiSecret]: this.apiSecret } };
  }
}
