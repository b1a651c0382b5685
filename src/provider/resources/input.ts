/**
 * `alooma_input`: the generic input (webhooks, RESTAPI, and every creatable
 * type without a resource of its own). Its `type` requires replacement; its
 * `configuration` is the JSON text of every field no other attribute
 * manages; secret fields are apart, in the write-only `secrets` map (or
 * `secrets_env`), each written again when its `secrets_version` changes.
 */
import { AloomaInputType } from '../../alooma/input-types';
import { types } from '../framework';
import { secretMapAttributes } from './fields';
import { inputResource, type InputKind } from './input-resource';

/** Types with a resource of their own, and what to use instead. */
const OWN_RESOURCE = new Map<string, string>([
  [AloomaInputType.ODBC, 'use alooma_database_input'],
  [AloomaInputType.REST_INPUT, 'use alooma_rest_input'],
  [AloomaInputType.S3, 'use alooma_s3_input'],
  [AloomaInputType.MIXPANEL, 'use alooma_mixpanel_input'],
]);

/** The kind behind `alooma_input`. */
export const genericInputKind: InputKind = {
  typeName: 'alooma_input',
  description:
    'An Alooma input of any creatable type without a resource of its own (e.g. a RESTAPI webhook).',
  attributes: {
    configuration: {
      type: types.string,
      optional: true,
      description:
        'The input configuration as the JSON text of an object (jsonencode({...})); secret fields are not managed here (see secrets).',
    },
    ...secretMapAttributes(),
  },
  fields: [],
  secrets: [],
  secretMap: true,
  openConfiguration: true,
  refusedTypes: OWN_RESOURCE,
};

/** `alooma_input`. */
export const genericInput = inputResource(genericInputKind);
