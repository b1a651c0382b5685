/**
 * `alooma-cdktf import`: turns live inputs into TypeScript construct code
 * that, once deployed, changes nothing in Alooma. For engine `provider`
 * each construct imports its input by id (`importFrom`: an `import {}`
 * block), and each secret carries the version the provider reads for it
 * (the marker's, or "1" for a secret set in an unmarked input), so the
 * import plans no secret write. For the provisioner engines the first
 * deploy adopts the inputs by name and records the ownership marker.
 * Secrets become environment variable references; their values are never
 * read (the API masks them).
 *
 * Pure text generation: the runtime never imports cdktf.
 */
import { AloomaNode } from '../client/types';
import { MARKER_FIELD } from '../protocol';
import { readMarker } from '../reconcile/plan';
import { liveSecretVersion } from '../../alooma/ownership-marker';
import { canonicalField, JsonObject, parseLiveJsonField } from '../../alooma/canonical';
import { AloomaInputType } from '../../alooma/input-types';
import {
  COMMON_INPUT_PROPS,
  DATABASE_INPUT_PROPS,
  DATABASE_SOURCE_PROPS,
  MIXPANEL_INPUT_PROPS,
  REST_INPUT_PROPS,
  REST_PAGINATION_PROPS,
  S3_INPUT_PROPS,
  secretVariableName,
} from '../../alooma/input-props';
import {
  ISO_DATE,
  S3_FILE_FORMAT_TEXT_KEYS,
  S3_FILE_TYPES,
  S3_LOAD_FILES,
} from '../../alooma/rules';
import {
  isParameter,
  isSecretKey,
  isSecretParameter,
  parameterSecretPath,
} from '../../alooma/secret-fields';

/** Engines the generated code is for (as `AloomaConnection`'s `engine`). */
export const IMPORT_ENGINES = ['provider', 'terraform_data', 'null_resource'] as const;

/** An engine of {@link IMPORT_ENGINES}. */
export type ImportEngine = (typeof IMPORT_ENGINES)[number];

/** Options of {@link generateImportCode}. */
export interface ImportCodeOptions {
  /**
   * Engine of the stack the code goes into. `provider`: each input is
   * imported by id (`.importFrom(id)`) and its secrets carry the version
   * the provider reads. `terraform_data` and `null_resource`: adopted by
   * name on the first deploy. Otherwise the code is the same: every field
   * the constructs can declare (REST `headers`, a typed input's
   * `extraConfiguration`, a generic input's `secrets`) on every engine.
   * @default 'provider'
   */
  readonly engine?: ImportEngine;
  /**
   * CDK core of the app the code goes into: `cdktf` imports the constructs
   * from `alooma-cdktf`, `cdktn` (CDK Terrain) from `alooma-cdktf/cdktn`.
   * @default 'cdktf'
   */
  readonly core?: 'cdktf' | 'cdktn';
  /** Module the constructs are imported from. @default - the one of `core` */
  readonly moduleName?: string;
  /** Name of the exported function that declares the inputs. @default 'importedInputs' */
  readonly functionName?: string;
  /** Account the inputs come from, for the header comment. */
  readonly account?: string;
}

/** The generated module and the environment variables its secrets read. */
export interface ImportResult {
  readonly code: string;
  readonly secretVariables: ReadonlyArray<{
    readonly variable: string;
    readonly input: string;
    /** The API field the secret is written to, e.g. `awsSecretAccessKey`. */
    readonly field: string;
    /**
     * Engine `provider`: the version the code gives the secret, the one the
     * provider reads for it; undefined when it reads none (the secret is not
     * set in Alooma, or its input's marker records no version): the first
     * deploy then writes the secret from `variable`.
     */
    readonly version?: string;
  }>;
  /**
   * Imported inputs that carry a stack's ownership marker: deploying the code
   * from any other stack fails with `error[conflict]` until that stack lets
   * them go.
   */
  readonly owned: ReadonlyArray<{ readonly input: string; readonly owner: string }>;
}

/** Generates a TypeScript module declaring `inputs` with the constructs. */
export function generateImportCode(
  inputs: readonly AloomaNode[],
  options: ImportCodeOptions = {},
): ImportResult {
  const used = new Set<string>();
  const engine = options.engine ?? 'provider';
  const provider = engine === 'provider';
  const secrets: Array<{ variable: string; input: string; field: string; version?: string }> = [];
  const owned: Array<{ input: string; owner: string }> = [];
  const classes = new Set<string>(['AloomaSecret']);
  const blocks: string[] = [];

  for (const node of [...inputs].sort((a, b) => a.name.localeCompare(b.name))) {
    const id = uniqueId(pascal(node.name), used);
    const marker = readMarker(node);
    const secret: SecretRefCode = (field, property = field, live = node.configuration[field]) => {
      const variable = secretVariableName(node.name, property);
      if (!provider) {
        secrets.push({ variable, input: node.name, field });
        return `AloomaSecret.fromEnv(${str(variable)})`;
      }
      const version = liveSecretVersion(marker, field, live);
      secrets.push({ variable, input: node.name, field, ...(version ? { version } : {}) });
      return version === undefined
        ? `AloomaSecret.fromEnv(${str(variable)})`
        : `AloomaSecret.fromEnv(${str(variable)}, { version: ${str(version)} })`;
    };
    const style: CodeStyle = { importId: provider ? node.id : undefined };
    let block: string;
    if (node.type === AloomaInputType.ODBC && parseLiveJsonField(node.configuration.tables)) {
      classes.add('AloomaDatabaseInput').add('InputTable');
      block = databaseInput(node, id, secret, style);
    } else if (node.type === AloomaInputType.REST_INPUT) {
      classes.add('AloomaRestInput');
      block = restInput(node, id, secret, classes, style);
    } else if (node.type === AloomaInputType.S3 && fitsS3Input(node.configuration)) {
      classes.add('AloomaS3Input');
      block = s3Input(node, id, secret, style);
    } else if (node.type === AloomaInputType.MIXPANEL && fitsMixpanelInput(node.configuration)) {
      classes.add('AloomaMixpanelInput');
      block = mixpanelInput(node, id, secret, style);
    } else {
      classes.add('AloomaInput');
      block = genericInput(node, id, secret, style);
    }
    const owner = marker?.owner;
    if (owner !== undefined) {
      owned.push({ input: node.name, owner });
      block = [
        `// "${oneLine(node.name)}" is managed by the stack "${oneLine(owner)}" (its ownership marker):`,
        provider
          ? `// imported into another stack the provider refuses it with error[conflict] until "${oneLine(owner)}"`
          : `// deployed from another stack it fails with error[conflict] until "${oneLine(owner)}"`,
        '// stops managing it (remove it there with RemovalPolicy.RETAIN, and deploy).',
        block,
      ].join('\n');
    }
    blocks.push(block);
  }

  const functionName = options.functionName ?? 'importedInputs';
  const core = options.core ?? 'cdktf';
  const moduleName =
    options.moduleName ?? (core === 'cdktn' ? 'alooma-cdktf/cdktn' : 'alooma-cdktf');
  const unversioned = provider ? secrets.filter((s) => s.version === undefined) : [];
  const header = [
    `// Generated by \`alooma-cdktf import\`${options.account ? ` from account "${options.account}"` : ''} for engine "${engine}".`,
    ...(provider
      ? [
          '// Deploying it imports these inputs by id (import blocks) and writes no secret. An input',
          '// with a secret is also updated in place to record the variable named for it, one with',
          '// extraConfiguration to record which extra fields it manages (both kept in state, which',
          "// an import cannot read); one that no stack has marked gets this stack's ownership marker",
          '// then (one write). Inputs with neither: no write.',
          `// Call it with a ${core} TerraformStack whose AloomaConnection has engine: 'provider':`,
          `//   import { App, TerraformStack } from '${core}';`,
        ]
      : [
          '// Deploying it adopts these inputs and changes nothing else.',
          `// Call it with a ${core} TerraformStack: import { App, TerraformStack } from '${core}';`,
        ]),
    ...(secrets.length
      ? [
          '// Secrets are read at deploy time from these environment variables',
          '// (needed only when a secret is written: on create or after a version bump):',
          ...secrets.map((s) => `//   ${s.variable}: ${s.field} of ${s.input}`),
        ]
      : []),
    ...(unversioned.length
      ? [
          '// Alooma records no version for these, so the first deploy writes them (set the variables):',
          ...unversioned.map((s) => `//   ${s.variable}`),
        ]
      : []),
  ];
  const code = [
    ...header,
    `import { Construct } from 'constructs';`,
    `import { ${[...classes].sort().join(', ')} } from ${str(moduleName)};`,
    '',
    `/** Declares the imported Alooma inputs in \`scope\` (a TerraformStack). */`,
    `export function ${functionName}(scope: Construct): void {`,
    blocks.map((b) => indent(b, 2)).join('\n\n'),
    '}',
    '',
  ].join('\n');
  return { code, secretVariables: secrets, owned };
}

/**
 * The code of an `AloomaSecret.fromEnv` for the secret `field` (an API
 * field or a secret path), its variable named after `property`; `live` is
 * what the API shows there (the mask when set).
 */
type SecretRefCode = (field: string, property?: string, live?: unknown) => string;

/** How a block is written for the engine. */
interface CodeStyle {
  /** Engine `provider`: the id each construct imports (`importFrom`). */
  readonly importId?: string;
}

/** `<variable>.importFrom('<id>');` for engine `provider`, else nothing. */
function importLines(variable: string, style: CodeStyle): string[] {
  return style.importId === undefined ? [] : [`${variable}.importFrom(${str(style.importId)});`];
}

/** A comment naming live fields the code leaves to Alooma (unmanaged), if any. */
function unmanagedComment(construct: string, keys: readonly string[]): string[] {
  return keys.length
    ? [
        `// Kept in Alooma as they are, not managed by ${construct}: ${[...keys].sort().join(', ')}.`,
      ]
    : [];
}

function databaseInput(
  node: AloomaNode,
  id: string,
  secret: SecretRefCode,
  style: CodeStyle,
): string {
  const c = { ...node.configuration };
  delete c[MARKER_FIELD];
  const { password, ...sourceProps } = DATABASE_SOURCE_PROPS;
  const source = typedProps(sourceProps, c);
  // Required by the construct even when the API shows none: it is written only on create.
  source.push(`password: ${secret(password, 'password')},`);
  delete c[password];

  const props: string[] = [
    `name: ${str(node.name)},`,
    `source: {\n${indent(source.join('\n'), 2)}\n},`,
  ];
  const { tables: tablesField, ...inputProps } = DATABASE_INPUT_PROPS;
  const tables = parseLiveJsonField(c[tablesField])!;
  delete c[tablesField];
  props.push(...commonProps(node, c));
  props.push(...typedProps(inputProps, c));
  props.push(...extraConfiguration(c));
  const variable = camel(id);
  const tableIds = new Set<string>();
  const tableLines = Object.entries(tables)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(
      ([table, indicator]) =>
        `new InputTable(${variable}, ${str(uniqueId(`${pascal(table)}Table`, tableIds))}, ` +
        `{ name: ${str(table)}, updateIndicator: ${literal(indicator)} });`,
    );
  return [
    `const ${variable} = new AloomaDatabaseInput(scope, ${str(id)}, {`,
    indent(props.join('\n'), 2),
    '});',
    ...tableLines,
    ...importLines(variable, style),
  ].join('\n');
}

function restInput(
  node: AloomaNode,
  id: string,
  secret: SecretRefCode,
  classes: Set<string>,
  style: CodeStyle,
): string {
  const c = { ...node.configuration };
  delete c[MARKER_FIELD];
  const props: string[] = [`name: ${str(node.name)},`];
  const { password, parameters: parametersField, ...restProps } = REST_INPUT_PROPS;
  props.push(...typedProps(restProps, c));
  if (c[password] !== undefined) props.push(`password: ${secret(password, 'password')},`);
  delete c[password];
  const pagination = typedProps(REST_PAGINATION_PROPS, c).map((p) => p.replace(/,$/, ''));
  if (pagination.length) props.push(`pagination: { ${pagination.join(', ')} },`);
  props.push(...commonProps(node, c));

  const live = c[parametersField];
  const parameters = Array.isArray(live) ? live.filter(isParameter) : [];
  delete c[parametersField];
  props.push(...extraConfiguration(c));
  const variable = camel(id);
  const lines = [
    `const ${variable} = new AloomaRestInput(scope, ${str(id)}, {`,
    indent(props.join('\n'), 2),
    '});',
  ];
  const templates = new Map<string, string[]>();
  for (const p of parameters) {
    const fields = [`parameter: ${str(p.parameter)}`];
    if (p.type !== undefined) fields.push(`type: ${literal(p.type)}`);
    if (isSecretParameter(p))
      fields.push(
        `secretValue: ${secret(parameterSecretPath(p.parameter), parameterSecretPath(p.parameter), p.value)}`,
      );
    else if (p.value !== undefined) fields.push(`value: ${literal(p.value)}`);
    lines.push(`${variable}.addParameter({ ${fields.join(', ')} });`);
    if (typeof p.template === 'string')
      templates.set(p.template, [...(templates.get(p.template) ?? []), p.parameter]);
  }
  const templateIds = new Set<string>();
  for (const [template, names] of templates) {
    classes.add('ParameterTemplate');
    const templateId = uniqueId(`${pascal(names.join('_'))}Template`, templateIds);
    lines.push(
      `new ParameterTemplate(${variable}, ${str(templateId)}, { template: ${str(template)}, parameters: ${literal(names)} });`,
    );
  }
  lines.push(...importLines(variable, style));
  return lines.join('\n');
}

function genericInput(
  node: AloomaNode,
  id: string,
  secret: SecretRefCode,
  style: CodeStyle,
): string {
  const c = { ...node.configuration };
  delete c[MARKER_FIELD];
  const props: string[] = [
    `name: ${str(node.name)},`,
    `type: ${str(node.type)},`,
    ...commonProps(node, c),
  ];
  const configuration: string[] = [];
  const secrets: string[] = [];
  for (const key of Object.keys(c).sort()) {
    // An unset secret ('' as the API reads it back) is no secret to declare.
    if (isSecretKey(key)) {
      if (c[key] === '' || c[key] === null) continue;
      secrets.push(`${propertyKey(key)}: ${secret(key)},`);
    } else configuration.push(`${propertyKey(key)}: ${literal(c[key])},`);
  }
  if (configuration.length)
    props.push(`configuration: {\n${indent(configuration.join('\n'), 2)}\n},`);
  if (secrets.length) props.push(`secrets: {\n${indent(secrets.join('\n'), 2)}\n},`);
  const construct = `new AloomaInput(scope, ${str(id)}, {`;
  return [construct, indent(props.join('\n'), 2), `})${importCall(style)};`].join('\n');
}

/**
 * An `AloomaS3Input` when the construct renders exactly what is live: the
 * members it always writes are there with values it accepts, and the access
 * key id and the secret key go together. Anything else stays an `AloomaInput`.
 */
function fitsS3Input(c: Readonly<Record<string, unknown>>): boolean {
  const f = S3_INPUT_PROPS;
  const format = parseLiveJsonField(c[f.fileFormat]);
  return (
    typeof c[f.bucket] === 'string' &&
    c[f.bucket] !== '' &&
    typeof c[f.prefix] === 'string' &&
    (S3_LOAD_FILES as readonly unknown[]).includes(c[f.loadFiles]) &&
    format !== undefined &&
    (S3_FILE_TYPES as readonly unknown[]).includes(format.type) &&
    Object.entries(format).every(
      ([key, value]) =>
        key === 'type' ||
        ((S3_FILE_FORMAT_TEXT_KEYS as readonly string[]).includes(key) &&
          typeof value === 'string'),
    ) &&
    isSet(c[f.accessKeyId]) === isSet(c[f.secretAccessKey]) &&
    (c[f.accessKeyId] === undefined || typeof c[f.accessKeyId] === 'string')
  );
}

function s3Input(node: AloomaNode, id: string, secret: SecretRefCode, style: CodeStyle): string {
  const c = { ...node.configuration };
  delete c[MARKER_FIELD];
  const f = S3_INPUT_PROPS;
  const props: string[] = [`name: ${str(node.name)},`, `bucket: ${literal(c[f.bucket])},`];
  // The construct's defaults are left out: '' (the whole bucket), 'all', { type: 'json' }.
  if (c[f.prefix] !== '') props.push(`prefix: ${literal(c[f.prefix])},`);
  if (c[f.loadFiles] !== S3_LOAD_FILES[0]) props.push(`loadFiles: ${literal(c[f.loadFiles])},`);
  const format = parseLiveJsonField(c[f.fileFormat])!;
  if (Object.keys(format).length > 1 || format.type !== 'json') {
    // in the construct's order: type, then the text members
    const ordered: JsonObject = { type: format.type };
    for (const key of S3_FILE_FORMAT_TEXT_KEYS) if (key in format) ordered[key] = format[key];
    props.push(`fileFormat: ${literal(ordered)},`);
  }
  if (isSet(c[f.accessKeyId])) {
    props.push(`accessKeyId: ${literal(c[f.accessKeyId])},`);
    props.push(`secretAccessKey: ${secret(f.secretAccessKey, 'secretAccessKey')},`);
  }
  for (const field of [f.bucket, f.prefix, f.loadFiles, f.fileFormat, f.accessKeyId])
    delete c[field];
  delete c[f.secretAccessKey];
  props.push(...commonProps(node, c));
  return typedBlock('AloomaS3Input', id, props, c, style);
}

/** An `AloomaMixpanelInput` when the live input has the key and a start date it accepts. */
function fitsMixpanelInput(c: Readonly<Record<string, unknown>>): boolean {
  const f = MIXPANEL_INPUT_PROPS;
  return (
    typeof c[f.apiKey] === 'string' && c[f.apiKey] !== '' && ISO_DATE(c[f.fromDate]) === undefined
  );
}

function mixpanelInput(
  node: AloomaNode,
  id: string,
  secret: SecretRefCode,
  style: CodeStyle,
): string {
  const c = { ...node.configuration };
  delete c[MARKER_FIELD];
  const f = MIXPANEL_INPUT_PROPS;
  const props: string[] = [
    `name: ${str(node.name)},`,
    `apiKey: ${literal(c[f.apiKey])},`,
    // Required by the construct even when the API shows none: it is written only on create.
    `apiSecret: ${secret(f.apiSecret, 'apiSecret')},`,
    `fromDate: ${literal(c[f.fromDate])},`,
  ];
  for (const field of Object.values(f)) delete c[field];
  props.push(...commonProps(node, c));
  return typedBlock('AloomaMixpanelInput', id, props, c, style);
}

/**
 * `new <construct>(scope, id, { props })` for a construct without
 * `extraConfiguration`: fields left in `c` are named in a comment, as they
 * stay in Alooma as they are, unmanaged.
 */
function typedBlock(
  construct: string,
  id: string,
  props: readonly string[],
  c: Record<string, unknown>,
  style: CodeStyle,
): string {
  return [
    ...unmanagedComment(construct, Object.keys(c)),
    `new ${construct}(scope, ${str(id)}, {`,
    indent(props.join('\n'), 2),
    `})${importCall(style)};`,
  ].join('\n');
}

/** `.importFrom('<id>')` for engine `provider`, else nothing. */
function importCall(style: CodeStyle): string {
  return style.importId === undefined ? '' : `.importFrom(${str(style.importId)})`;
}

/** `prop: value,` for each typed property whose field is in `c`, taken out of `c`. */
function typedProps(
  fields: Readonly<Record<string, string>>,
  c: Record<string, unknown>,
): string[] {
  const props: string[] = [];
  for (const [prop, field] of Object.entries(fields)) {
    if (c[field] === undefined) continue;
    props.push(`${prop}: ${literal(canonicalField(field, c[field]))},`);
    delete c[field];
  }
  return props;
}

/** autoMap, defaultSchema and paused, taken out of `c`. */
function commonProps(node: AloomaNode, c: Record<string, unknown>): string[] {
  const props = typedProps(COMMON_INPUT_PROPS, c);
  if (node.paused) props.push('paused: true,');
  return props;
}

/** A secret the API shows as set (masked), not '' or null. */
function isSet(value: unknown): boolean {
  return value !== undefined && value !== null && value !== '';
}

/** Text for a `//` comment line. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}

/**
 * Remaining fields as `extraConfiguration`. Secret fields other than the
 * typed `password` are left out: the typed constructs take secrets only
 * through typed props, so such a field stays as it is in Alooma, unmanaged.
 */
function extraConfiguration(c: Record<string, unknown>): string[] {
  const keys = Object.keys(c)
    .filter((key) => !isSecretKey(key))
    .sort();
  if (keys.length === 0) return [];
  const lines = keys.map((key) => `${propertyKey(key)}: ${literal(c[key])},`);
  return [`extraConfiguration: {\n${indent(lines.join('\n'), 2)}\n},`];
}

/** A JSON-ish value as a TypeScript literal (strings single-quoted). */
function literal(value: unknown): string {
  if (typeof value === 'string') return str(value);
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(literal).join(', ')}]`;
  const entries = Object.entries(value as JsonObject).filter(([, v]) => v !== undefined);
  if (entries.length === 0) return '{}';
  return `{ ${entries.map(([k, v]) => `${propertyKey(k)}: ${literal(v)}`).join(', ')} }`;
}

function str(value: string): string {
  return `'${value.replace(/\\/g, '\\\\').replace(/'/g, "\\'").replace(/\n/g, '\\n').replace(/\r/g, '\\r')}'`;
}

function propertyKey(key: string): string {
  return /^[A-Za-z_$][\w$]*$/.test(key) ? key : str(key);
}

function words(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean);
}

function pascal(name: string): string {
  const result = words(name)
    .map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase())
    .join('');
  return /^[A-Za-z]/.test(result) ? result : `Input${result}`;
}

function camel(id: string): string {
  return id[0].toLowerCase() + id.slice(1);
}

function uniqueId(base: string, used: Set<string>): string {
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}${n}`;
  used.add(id);
  return id;
}

function indent(text: string, spaces: number): string {
  const pad = ' '.repeat(spaces);
  return text
    .split('\n')
    .map((line) => (line ? pad + line : line))
    .join('\n');
}
