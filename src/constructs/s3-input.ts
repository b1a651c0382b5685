import { Construct } from 'constructs';
import { AloomaInputType } from '../alooma/input-types';
import {
  LOAD_FILES,
  S3_FILE_FORMAT_CHARACTER,
  S3_FILE_FORMAT_TEXT_KEYS,
  S3_FILE_TYPE,
  S3_FILE_TYPES,
  S3_LOAD_FILES,
} from '../alooma/rules';
import { S3_INPUT_PROPS as FIELD } from '../alooma/input-props';
import * as errors from './errors';
import { AloomaInputBase, AloomaInputCommonProps, RenderedInput } from './input-base';
import { AloomaSecret } from './secret';
import { checkRule, checkSecret, checkString, isReference } from './private/checks';

/** Format of the files an {@link AloomaS3Input} loads. */
export type S3FileType = (typeof S3_FILE_TYPES)[number];
/** Which files an {@link AloomaS3Input} loads. */
export type S3LoadFiles = (typeof S3_LOAD_FILES)[number];

/** How the files of an {@link AloomaS3Input} are parsed (`fileFormat`). */
export interface S3FileFormat {
  /** `json` (one event per line), `delimited` (CSV-like) or `other`. */
  readonly type: S3FileType;
  /**
   * Field delimiter of `delimited` files.
   *
   * @default ','
   */
  readonly delimiter?: string;
  /**
   * Quote character of `delimited` files.
   *
   * @default - none
   */
  readonly quoteChar?: string;
  /**
   * Escape character of `delimited` files.
   *
   * @default - none
   */
  readonly escapeChar?: string;
}

/** Properties of an {@link AloomaS3Input}. */
export interface AloomaS3InputProps extends AloomaInputCommonProps {
  /** Bucket the files are read from (`awsBucketName`). */
  readonly bucket: string;
  /**
   * Key prefix of the files (`filePrefix`).
   *
   * @default '' (the whole bucket)
   */
  readonly prefix?: string;
  /**
   * `all` files, or only files added from now on (`loadFiles`).
   *
   * @default 'all'
   */
  readonly loadFiles?: S3LoadFiles;
  /**
   * How files are parsed (`fileFormat`).
   *
   * @default { type: 'json' }
   */
  readonly fileFormat?: S3FileFormat;
  /**
   * AWS access key id (`awsAccessKeyId`): an identifier, not a secret. Give
   * it with `secretAccessKey`, or neither (a bucket policy grants Alooma).
   *
   * @default - none
   */
  readonly accessKeyId?: string;
  /**
   * AWS secret access key (`awsSecretAccessKey`), read at apply time.
   *
   * @default - none
   */
  readonly secretAccessKey?: AloomaSecret;
}

/**
 * An Alooma input that loads files from an S3 bucket (type `S3`), as the
 * official client's `create_s3_input`.
 *
 * @example
 * new AloomaS3Input(stack, 'Clicks', {
 *   name: 'clickstream_s3',
 *   bucket: 'clickstream',
 *   prefix: 'events/',
 *   accessKeyId: 'AKIA...',
 *   secretAccessKey: AloomaSecret.fromEnv('CLICKSTREAM_AWS_SECRET'),
 * });
 */
export class AloomaS3Input extends AloomaInputBase {
  /** The Alooma input type. */
  public static readonly TYPE = AloomaInputType.S3;

  private readonly configuration: Record<string, unknown>;
  private readonly secretAccessKey?: AloomaSecret;

  constructor(scope: Construct, id: string, props: AloomaS3InputProps) {
    super(scope, id, AloomaS3Input.TYPE, props);
    const format = props.fileFormat ?? { type: 'json' };
    this.configuration = {
      [FIELD.bucket]: checkString(this, 'props.bucket', props.bucket),
      [FIELD.prefix]: props.prefix === undefined ? '' : checkPrefix(this, props.prefix),
      [FIELD.loadFiles]:
        props.loadFiles === undefined
          ? S3_LOAD_FILES[0]
          : checkRule(this, 'props.loadFiles', props.loadFiles, LOAD_FILES),
      [FIELD.fileFormat]: isReference(format) ? format : renderFormat(this, format),
      ...(props.accessKeyId === undefined
        ? {}
        : { [FIELD.accessKeyId]: checkString(this, 'props.accessKeyId', props.accessKeyId) }),
    };
    if ((props.accessKeyId === undefined) !== (props.secretAccessKey === undefined)) {
      throw errors.conflictingProperties(
        this,
        'props.accessKeyId and props.secretAccessKey go together',
        'Set both, or neither (a bucket policy that grants Alooma)',
      );
    }
    if (props.secretAccessKey !== undefined)
      this.secretAccessKey = checkSecret(this, 'props.secretAccessKey', props.secretAccessKey);
  }

  protected renderInput(): RenderedInput {
    return {
      configuration: this.configuration,
      secrets: this.secretAccessKey ? { [FIELD.secretAccessKey]: this.secretAccessKey } : {},
    };
  }
}

function checkPrefix(scope: Construct, prefix: unknown): string {
  if (isReference(prefix) || typeof prefix === 'string') return prefix as string;
  throw errors.invalidProperty(scope, 'props.prefix', prefix, 'a key prefix such as "events/"');
}

/** `fileFormat` as the API stores it: an object here, a JSON string on the wire (a JSON-string field). */
function renderFormat(scope: Construct, format: S3FileFormat): Record<string, unknown> {
  const type = checkRule<string>(scope, 'props.fileFormat.type', format.type, S3_FILE_TYPE);
  const out: Record<string, unknown> = { type };
  for (const key of S3_FILE_FORMAT_TEXT_KEYS) {
    if (format[key] !== undefined)
      out[key] = checkRule(scope, `props.fileFormat.${key}`, format[key], S3_FILE_FORMAT_CHARACTER);
  }
  return out;
}
