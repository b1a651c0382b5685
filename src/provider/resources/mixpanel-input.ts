/**
 * `alooma_mixpanel_input`: a Mixpanel export (Alooma type MIXPANEL), as
 * `AloomaMixpanelInput` declares it. The API secret is write-only.
 */
import { AloomaInputType } from '../../alooma/input-types';
import { types } from '../framework';
import { inputResource, type InputKind } from './input-resource';

/** The kind behind `alooma_mixpanel_input`. */
export const mixpanelInputKind: InputKind = {
  typeName: 'alooma_mixpanel_input',
  description: 'An Alooma input that exports events from Mixpanel.',
  apiType: AloomaInputType.MIXPANEL,
  attributes: {
    api_key: {
      type: types.string,
      required: true,
      description: 'Mixpanel project API key (`mixpanelApiKey`; an identifier, not a secret).',
    },
    api_secret: {
      type: types.string,
      optional: true,
      sensitive: true,
      writeOnly: true,
      description:
        'Mixpanel API secret (write-only, `mixpanelApiSecret`). Written on create and when api_secret_version changes.',
    },
    api_secret_env: {
      type: types.string,
      optional: true,
      description:
        'Name of an environment variable of the provider process (Terraform passes its own environment) that holds the API secret, instead of api_secret: checked at plan and read at apply only when api_secret is written (create, or api_secret_version changed). The name is in state; the value never is. Conflicts with api_secret.',
    },
    api_secret_version: {
      type: types.string,
      optional: true,
      description: 'Any label of the API secret; change it to write it again.',
    },
    from_date: {
      type: types.string,
      required: true,
      description: 'First day to export, YYYY-MM-DD (`fromDate`).',
    },
  },
  fields: [
    { attribute: 'api_key', api: 'mixpanelApiKey', codec: 'string' },
    { attribute: 'from_date', api: 'fromDate', codec: 'string' },
  ],
  secrets: [
    {
      attribute: 'api_secret',
      versionAttribute: 'api_secret_version',
      envAttribute: 'api_secret_env',
      api: 'mixpanelApiSecret',
    },
  ],
};

/** `alooma_mixpanel_input`. */
export const mixpanelInput = inputResource(mixpanelInputKind);
