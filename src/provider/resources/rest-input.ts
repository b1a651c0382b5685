/**
 * `alooma_rest_input`: a polled REST API (Alooma type REST_INPUT), as
 * `AloomaRestInput` declares it. Parameters are a map keyed by parameter
 * name (their identity), each with a type, a value or a write-only secret
 * value, and a template.
 */
import { AloomaInputType } from '../../alooma/input-types';
import { REST_PARAMETER_TYPES, REST_REQUEST_METHODS } from '../../alooma/rules';
import { types } from '../framework';
import { PARAMETER_ATTRIBUTES, PARAMETER_SECRET, writeOnlySecret } from './fields';
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
    headers: {
      type: types.string,
      optional: true,
      description:
        'Request headers, as the JSON text of the list of objects the API stores (jsonencode([...])). Not for secrets.',
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
          ...PARAMETER_SECRET.attributes,
        },
      },
    },
    ...PASSWORD_SECRET.attributes,
  },
  fields: [
    { attribute: 'base_url', api: 'base_url', codec: 'string' },
    { attribute: 'request', api: 'request', codec: 'string' },
    { attribute: 'headers', api: 'headers', codec: 'json_value' },
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
