/**
 * `alooma_rest_input`: a polled REST API (Alooma type REST_INPUT), as
 * `AloomaRestInput` declares it. Parameters are a map keyed by parameter
 * name (their identity), each with a type, a value or a write-only secret
 * value, and a template.
 */
import { AloomaInputType } from '../../alooma/input-types';
import { REST_PARAMETER_TYPES, REST_REQUEST_METHODS } from '../../alooma/rules';
import { types } from '../framework';
import { PARAMETER_ATTRIBUTES } from './fields';
import { writeOnlySecret } from './fields';
import { inputResource, type InputKind } from './input-resource';

const P = PARAMETER_ATTRIBUTES;

const PASSWORD_SECRET = writeOnlySecret(
  'password',
  'password',
  'the password of HTTP basic authentication',
);

/** The kind behind `alooma_rest_input`. */
export const restInputKind: InputKind = {
  typeName: 'alooma_rest_input',
  description: 'An Alooma input that polls a REST API (REST_INPUT).',
  apiType: AloomaInputType.REST_INPUT,
  attributes: {
    base_url: {
      type: types.string,
      required: true,
      description: 'URL of the API (http or https).',
    },
    request: {
      type: types.string,
      optional: true,
      computed: true,
      default: REST_REQUEST_METHODS[0],
      description: `HTTP method: ${REST_REQUEST_METHODS.join(' or ')}. Default ${REST_REQUEST_METHODS[0]}.`,
    },
    username: {
      type: types.string,
      optional: true,
      description: 'User of HTTP basic authentication.',
    },
    primary_keys: {
      type: types.list(types.string),
      optional: true,
      description: 'Fields that identify a record.',
    },
    data_field: {
      type: types.string,
      optional: true,
      description: 'Field of the answer that holds the records.',
    },
    frequency: { type: types.number, optional: true, description: 'Minutes between polls.' },
    cron_expression: {
      type: types.string,
      optional: true,
      description: 'Cron schedule of the polls (instead of frequency).',
    },
    pagination_type: {
      type: types.string,
      optional: true,
      description: 'How the API pages its answers.',
    },
    page_parameter: {
      type: types.string,
      optional: true,
      description: 'Query parameter of the page.',
    },
    increment: { type: types.number, optional: true, description: 'Step of the page parameter.' },
    initial_value: {
      type: types.number,
      optional: true,
      description: 'First value of the page parameter.',
    },
    parameters: {
      optional: true,
      description: 'Query parameters, keyed by parameter name.',
      nested: {
        nesting: 'map',
        attributes: {
          [P.type]: {
            type: types.string,
            optional: true,
            computed: true,
            default: REST_PARAMETER_TYPES[0],
            description: `${REST_PARAMETER_TYPES.join(' or ')} (a number of days before the run date). Default ${REST_PARAMETER_TYPES[0]}.`,
          },
          [P.value]: {
            type: types.string,
            optional: true,
            description: 'The value (not a secret).',
          },
          [P.template]: {
            type: types.string,
            optional: true,
            description: 'A strftime template of the value, e.g. "%Y-%m-%d".',
          },
          [P.secretValue]: {
            type: types.string,
            optional: true,
            sensitive: true,
            writeOnly: true,
            description:
              'A secret value (write-only), instead of value. Written on create and when secret_value_version changes.',
          },
          [P.secretValueEnv]: {
            type: types.string,
            optional: true,
            description:
              'Name of an environment variable of the provider process (Terraform passes its own environment) that holds the secret value, instead of secret_value: checked at plan and read at apply only when the value is written (the parameter created, or secret_value_version changed). The name is in state; the value never is. Conflicts with secret_value and value.',
          },
          [P.secretValueVersion]: {
            type: types.string,
            optional: true,
            description: 'Any label of secret_value; change it to write secret_value again.',
          },
        },
      },
    },
    ...PASSWORD_SECRET.attributes,
  },
  fields: [
    { attribute: 'base_url', api: 'base_url', codec: 'string' },
    { attribute: 'request', api: 'request', codec: 'string' },
    { attribute: 'username', api: 'username', codec: 'string' },
    { attribute: 'primary_keys', api: 'primary_keys', codec: 'string_list' },
    { attribute: 'data_field', api: 'data_field', codec: 'string' },
    { attribute: 'frequency', api: 'frequency', codec: 'number' },
    { attribute: 'cron_expression', api: 'cron_expression', codec: 'string' },
    { attribute: 'pagination_type', api: 'pagination_type', codec: 'string' },
    { attribute: 'page_parameter', api: 'page_parameter', codec: 'string' },
    { attribute: 'increment', api: 'increment', codec: 'number' },
    { attribute: 'initial_value', api: 'initial_value', codec: 'number' },
  ],
  secrets: [PASSWORD_SECRET.field],
  parameters: true,
};

/** `alooma_rest_input`. */
export const restInput = inputResource(restInputKind);
