/**
 * `alooma_mixpanel_input`: a Mixpanel export (Alooma type MIXPANEL), as
 * `AloomaMixpanelInput` declares it. The API secret is write-only.
 */
import { AloomaInputType } from '../../alooma/input-types';
import { types } from '../framework';
import { writeOnlySecret } from './fields';
import { inputResource, type InputKind } from './input-resource';

const API_SECRET = writeOnlySecret('api_secret', 'mixpanelApiSecret', 'the Mixpanel API secret');

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
    from_date: {
      type: types.string,
      required: true,
      description: 'First day to export, YYYY-MM-DD (`fromDate`).',
    },
    ...API_SECRET.attributes,
  },
  fields: [
    { attribute: 'api_key', api: 'mixpanelApiKey', codec: 'string' },
    { attribute: 'from_date', api: 'fromDate', codec: 'string' },
  ],
  secrets: [API_SECRET.field],
};

/** `alooma_mixpanel_input`. */
export const mixpanelInput = inputResource(mixpanelInputKind);
