/**
 * `alooma_s3_input`: files from an S3 bucket (Alooma type S3), as
 * `AloomaS3Input` declares it. The secret access key is write-only.
 */
import { AloomaInputType } from '../../alooma/input-types';
import { S3_LOAD_FILES } from '../../alooma/rules';
import { types } from '../framework';
import { writeOnlySecret } from './fields';
import { inputResource, type InputKind } from './input-resource';

const SECRET_ACCESS_KEY_SECRET = writeOnlySecret(
  'secret_access_key',
  'awsSecretAccessKey',
  'the AWS secret access key',
);

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
    ...SECRET_ACCESS_KEY_SECRET.attributes,
  },
  fields: [
    { attribute: 'bucket', api: 'awsBucketName', codec: 'string' },
    { attribute: 'prefix', api: 'filePrefix', codec: 'string' },
    { attribute: 'load_files', api: 'loadFiles', codec: 'string' },
    { attribute: 'file_format', api: 'fileFormat', codec: 'json_text' },
    { attribute: 'access_key_id', api: 'awsAccessKeyId', codec: 'string' },
  ],
  secrets: [SECRET_ACCESS_KEY_SECRET.field],
};

/** `alooma_s3_input`. */
export const s3Input = inputResource(s3InputKind);
