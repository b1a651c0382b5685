/**
 * `alooma-cdktf import --hcl`: a plain Terraform configuration that imports
 * live inputs into the Alooma provider: the `terraform` and `provider`
 * blocks, one `import {}` block per input (by id), and the steps that let
 * Terraform write the resource blocks itself (`terraform plan
 * -generate-config-out=...`, measured with Terraform 1.11 and this
 * provider: every attribute comes out as the import reads it, write-only
 * secrets as null, their `_version` as the provider reads it). Terraform's
 * generated blocks are the provider schema's own, so no attribute name is
 * restated here but the secrets' `_env` / write-only ones, for the step
 * that gives each secret its source (unit-tested against the schema).
 *
 * Pure text generation, as the construct code is.
 */
import { AloomaInputType } from '../../alooma/input-types';
import {
  isParameter,
  isSecretKey,
  isSecretParameter,
  parameterSecretPath,
} from '../../alooma/secret-fields';
import { liveSecretVersion } from '../../alooma/ownership-marker';
import { secretVariableName } from '../../alooma/input-props';
import { requiredProvidersHcl } from '../../provider/install/hcl';
import { AloomaNode } from '../client/types';
import { readMarker } from '../reconcile/plan';

/** The provider resource type of each input type with one of its own; the rest are `alooma_input`. */
export const RESOURCE_TYPE_OF: Readonly<Record<string, string>> = {
  [AloomaInputType.ODBC]: 'alooma_database_input',
  [AloomaInputType.REST_INPUT]: 'alooma_rest_input',
  [AloomaInputType.S3]: 'alooma_s3_input',
  [AloomaInputType.MIXPANEL]: 'alooma_mixpanel_input',
};

/** The generic resource type. */
export const GENERIC_RESOURCE_TYPE = 'alooma_input';

/** The write-only attribute of each secret API field of a resource of its own (`password` -> `password`). */
export const SECRET_ATTRIBUTE_OF: Readonly<Record<string, Readonly<Record<string, string>>>> = {
  alooma_database_input: { password: 'password' },
  alooma_rest_input: { password: 'password' },
  alooma_s3_input: { awsSecretAccessKey: 'secret_access_key' },
  alooma_mixpanel_input: { mixpanelApiSecret: 'api_secret' },
};

/** The write-only attribute of a REST parameter's secret value, in `parameters["<name>"]`. */
export const PARAMETER_SECRET_ATTRIBUTE = 'secret_value';

/** The generic resource's write-only map of secrets, keyed by configuration key (`secrets["oauth2"]`). */
export const SECRET_MAP_ATTRIBUTE = 'secrets';

/** Options of {@link generateImportHcl}. */
export interface ImportHclOptions {
  /** The provider's `owner`, as the configuration that will manage the inputs sets it. */
  readonly owner: string;
  /** Version of alooma-cdktf, for `required_providers`. */
  readonly providerVersion: string;
  /** Account the inputs come from, for the header comment. */
  readonly account?: string;
}

/** One secret the generated configuration has to give a source. */
export interface HclSecret {
  /** Resource address, e.g. `alooma_database_input.orders_db`. */
  readonly address: string;
  /**
   * The write-only attribute's path in that block, e.g. `password`,
   * `parameters["token"].secret_value`, `secrets["oauth2"]`.
   */
  readonly attribute: string;
  /** Its version's path, e.g. `password_version`, `secrets_version["oauth2"]`. */
  readonly versionAttribute: string;
  /** Environment variable named by the `_env` way (`<attribute>_env`). */
  readonly variable: string;
  /** The version the provider reads at import; undefined: none (the first apply writes it). */
  readonly version?: string;
}

/** The configuration, its resource addresses and the secrets to source. */
export interface ImportHclResult {
  readonly hcl: string;
  readonly addresses: ReadonlyArray<{ readonly input: string; readonly address: string }>;
  readonly secrets: readonly HclSecret[];
}

/** Generates the import configuration of `inputs`. */
export function generateImportHcl(
  inputs: readonly AloomaNode[],
  options: ImportHclOptions,
): ImportHclResult {
  const labels = new Set<string>();
  const addresses: Array<{ input: string; address: string }> = [];
  const secrets: HclSecret[] = [];
  const blocks: string[] = [];
  for (const node of [...inputs].sort((a, b) => a.name.localeCompare(b.name))) {
    const type = RESOURCE_TYPE_OF[node.type] ?? GENERIC_RESOURCE_TYPE;
    const address = `${type}.${uniqueLabel(label(node.name), labels)}`;
    addresses.push({ input: node.name, address });
    const marker = readMarker(node);
    const secret = (attribute: string, path: string, live: unknown, versionAttribute?: string) =>
      secrets.push({
        address,
        attribute,
        versionAttribute: versionAttribute ?? `${attribute}_version`,
        variable: secretVariableName(node.name, path),
        ...versionOf(liveSecretVersion(marker, path, live)),
      });
    const attributes = SECRET_ATTRIBUTE_OF[type] ?? {};
    for (const [field, attribute] of Object.entries(attributes)) {
      // the database and Mixpanel inputs require theirs; the others only when set
      const set = node.configuration[field] !== undefined && node.configuration[field] !== '';
      if (set || type === 'alooma_database_input' || type === 'alooma_mixpanel_input')
        secret(attribute, field, node.configuration[field]);
    }
    const parameters = node.configuration.parameters;
    if (type === 'alooma_rest_input' && Array.isArray(parameters))
      for (const p of parameters.filter(isParameter).filter(isSecretParameter))
        secret(
          `parameters[${JSON.stringify(p.parameter)}].${PARAMETER_SECRET_ATTRIBUTE}`,
          parameterSecretPath(p.parameter),
          p.value,
        );
    // the generic resource's secrets: its maps keyed by configuration key, for each one set
    if (type === GENERIC_RESOURCE_TYPE)
      for (const key of Object.keys(node.configuration).sort()) {
        const live = node.configuration[key];
        if (!isSecretKey(key) || live === undefined || live === null || live === '') continue;
        const at = `[${JSON.stringify(key)}]`;
        secret(`${SECRET_MAP_ATTRIBUTE}${at}`, key, live, `${SECRET_MAP_ATTRIBUTE}_version${at}`);
      }
    const owner = marker?.owner;
    blocks.push(
      [
        `# "${oneLine(node.name)}" (${node.type})`,
        ...(owner !== undefined && owner !== options.owner
          ? [
              `# managed by owner "${oneLine(owner)}" (its ownership marker): the provider refuses this import`,
              `# (error[conflict]) until "${oneLine(owner)}" lets it go.`,
            ]
          : []),
        'import {',
        `  to = ${address}`,
        `  id = ${JSON.stringify(node.id)}`,
        '}',
      ].join('\n'),
    );
  }
  const steps = [
    '# Steps (Terraform 1.11+; the provider installed with `alooma-cdktf provider install`):',
    '#   terraform init',
    '#   terraform plan -generate-config-out=generated.tf',
    '#     Terraform writes one resource block per import into generated.tf, as the import reads',
    '#     the input. Secrets come out null (write-only: never read back), so that plan stops',
    '#     ("... is required", or a version of no secret) until each below has a source in generated.tf:',
    ...(secrets.length
      ? secrets.map(
          (s) =>
            `#       ${s.address}: ${s.attribute} = var.<an ephemeral variable>` +
            (s.version === undefined
              ? `   (no version is recorded: the first apply writes it)`
              : `   (${s.versionAttribute} "${s.version}" as read: no write)`),
        )
      : ['#       (none here)']),
    '#     (or instead `<attribute>_env = "<VARIABLE>"`, for alooma_input `secrets_env = { <key> =',
    '#     "<VARIABLE>" }`: the variable is read only when the secret is written; its name is kept in',
    '#     state, so the first apply records it as an in-place update).',
    '#   terraform plan     (N to import, 0 to add, 0 to change, 0 to destroy)',
    '#   terraform apply',
  ];
  const hcl = [
    `# Generated by \`alooma-cdktf import --hcl\`${options.account ? ` from account "${oneLine(options.account)}"` : ''}.`,
    ...steps,
    '',
    requiredProvidersHcl(options.providerVersion).trimEnd(),
    '',
    '# URL and credentials: ALOOMA_API_URL, ALOOMA_ACCOUNT, ALOOMA_API_KEY',
    'provider "alooma" {',
    `  owner = ${JSON.stringify(options.owner)}`,
    '}',
    '',
    blocks.join('\n\n'),
    '',
  ].join('\n');
  return { hcl, addresses, secrets };
}

function versionOf(version: string | undefined): { version?: string } {
  return version === undefined ? {} : { version };
}

/** A resource label: the input name in snake case, starting with a letter. */
function label(name: string): string {
  const snake = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/[^A-Za-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '')
    .toLowerCase();
  return /^[a-z]/.test(snake) ? snake : `input_${snake}`;
}

function uniqueLabel(base: string, used: Set<string>): string {
  let id = base;
  for (let n = 2; used.has(id); n++) id = `${base}_${n}`;
  used.add(id);
  return id;
}

/** Text for a `#` comment line. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]+/g, ' ');
}
