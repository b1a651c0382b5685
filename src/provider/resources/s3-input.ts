/**
 * `alooma_s3_input`: files from an S3 bucket (Alooma type S3), as
 * `AloomaS3Input` declares it. The secret access key is write-only.
 */
import { AloomaInputType } from '../../alooma/input-types';
import { S3_LOAD_FILES } from '../../alooma/rules';
import { types } from '../framework';
import { inputResource, type InputKind } from './input-resource';

/** The kind behind `alooma_s3_input`. */
export const s3InputKind: InputKind = {
  typeName: 'alooma_s3_input',
  description: 'An Alooma input that loads files from an S3 bucket.',
  apiType: AloomaInputType.S3,
  attributes: {
    bucket: {
      type: types.string,
      required: true,
      description: 'Name of the bucket (`awsBucketName`).',
    },
    prefix: {
      type: types.string,
      optional: true,
      description: 'Key prefix of the files to load (`filePrefix`).',
    },
    load_files: {
      type: types.string,
      optional: true,
      description: `Which files: ${S3_LOAD_FILES.join(' or ')} (\`loadFiles\`).`,
    },
    file_format: {
      type: types.string,
      optional: true,
      description:
        'Format of the files, as the JSON text of {type = json|delimited|other, delimiter, quoteChar, escapeChar} (`fileFormat`).',
    },
    access_key_id: {
      type: types.string,
      optional: true,
      description: 'AWS access key id (`awsAccessKeyId`).',
    },
    secret_access_key: {
      type: types.string,
      optional: true,
      sensitive: true,
      writeOnly: true,
      description:
        'AWS secret access key (write-only, `awsSecretAccessKey`). Written on create and when secret_access_key_version changes.',
    },
    secret_access_key_env: {
      type: types.string,
      optional: true,
      description:
        'Name of an environment variable of the provider process (Terraform passes its own environment) that holds the secret access key, instead of secret_access_key: checked at plan and read at apply only when secret_access_key is written (create, or secret_access_key_version changed). The name is in state; the value never is. Conflicts with secret_access_key.',
    },
    secret_access_key_version: {
      type: types.string,
      optional: true,
      description: 'Any label of the secret access key; change it to write it again.',
    },
  },
  fields: [
    { attribute: 'bucket', api: 'awsBucketName', codec: 'string' },
    { attribute: 'prefix', api: 'filePrefix', codec: 'string' },
    { attribute: 'load_files', api: 'loadFiles', codec: 'string' },
    { attribute: 'file_format', api: 'fileFormat', codec: 'json_text' },
    { attribute: 'access_key_id', api: 'awsAccessKeyId', codec: 'string' },
  ],
  secrets: [
    {
      attribute: 'secret_access_key',
      versionAttribute: 'secret_access_key_version',
      envAttribute: 'secret_access_key_env',
      api: 'awsSecretAccessKey',
    },
  ],
};

/** `alooma_s3_input`. */
export const s3Input = inputResource(s3InputKind);
