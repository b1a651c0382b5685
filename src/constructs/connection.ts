import { TerraformProvider, TerraformStack } from './private/core';
import { Construct, IConstruct } from 'constructs';
import { ConnectionSpec, EnvVar } from '../runtime/protocol';
import * as errors from './errors';
import { AloomaReconciler } from './reconciler';
import { ACCOUNT_NAME_RULE, isAccountName } from '../alooma/names';
import { AloomaSecret, CONNECTION_SECRET_OWNER } from './secret';
import {
  checkCdkCore,
  checkEnvName,
  checkSecret,
  isReference,
  checkInteger,
  checkName,
  checkOneOf,
  checkUrl,
} from './private/checks';
import { AloomaEngine, DEFAULT_ENGINE, ENGINES, loadNullProvider } from './private/engine';
import { aloomaProviderOf } from './private/provider-engine';
import { connectionOf, firstDefaultEngineUser, registerConnection } from './private/registry';

// Defined next to the code that synthesizes each engine; re-exported here, the public entry point.
export type { AloomaEngine } from './private/engine';

/** Upper bound of concurrent API writes: beyond it Alooma answers 429 anyway. */
const MAX_CONCURRENCY = 64;

/** Properties of an {@link AloomaConnection}. */
export interface AloomaConnectionProps {
  /**
   * Base URL of the Alooma API, e.g. `https://app.alooma.com`. Recorded in
   * the manifest; must not contain credentials.
   *
   * @default - `$ALOOMA_API_URL` at apply time, then the local emulator (http://127.0.0.1:8787)
   */
  readonly apiUrl?: string;
  /**
   * Alooma account name; requests go to `/<account>/rest/`.
   *
   * @default - `$ALOOMA_ACCOUNT` at apply time, else `/rest/`
   */
  readonly account?: string;
  /**
   * Environment variable holding the login e-mail at apply time.
   *
   * @default 'ALOOMA_USERNAME'
   */
  readonly usernameEnv?: string;
  /**
   * Environment variable holding the login password at apply time.
   *
   * @default 'ALOOMA_PASSWORD'
   */
  readonly passwordEnv?: string;
  /**
   * Environment variable holding an API key at apply time (used instead of
   * username and password when set).
   *
   * @default 'ALOOMA_API_KEY'
   */
  readonly apiKeyEnv?: string;
  /**
   * The API key from Terraform (`AloomaSecret.fromTerraform(...)`: a sensitive
   * variable, a secrets manager's value). The stack hands it to the apply
   * step only: destroy-time steps (`cdktf destroy`, a deploy that removes an
   * input) cannot receive values from Terraform, so they take credentials
   * from the environment (`$ALOOMA_API_KEY`, or username and password) and
   * stop before deleting anything when there are none.
   *
   * @default - the key (or login) from the environment variables above
   */
  readonly apiKey?: AloomaSecret;
  /**
   * Owner id recorded on every input the stack creates. The runtime only
   * updates or deletes inputs carrying this owner, so two stacks (or two
   * copies of one stack) never fight over an input.
   *
   * @default - the stack's name
   */
  readonly owner?: string;
  /**
   * Resource engine of the stack. A stack with no connection, or a
   * connection with no `engine`, uses the provider. Choosing a provisioner
   * engine (`terraform_data`, `null_resource`) needs the connection declared
   * before the stack's inputs.
   *
   * - `provider`: the Alooma Terraform provider; each input is an
   *   `alooma_database_input`, `alooma_rest_input`, `alooma_s3_input`,
   *   `alooma_mixpanel_input` or `alooma_input` resource (same props), the
   *   stack declares `provider "alooma"` (api_url, account, owner; the
   *   credentials come from `$ALOOMA_API_KEY` or `$ALOOMA_USERNAME` +
   *   `$ALOOMA_PASSWORD` unless `apiKey` takes them from Terraform) and
   *   `required_version >= 1.11`, and synthesis installs the provider next
   *   to the stack (no registry, no CLI configuration). Needs Terraform 1.11+
   *   and `node` where Terraform runs. Custom credential variable names
   *   (`usernameEnv`, ...) are refused. A stack deployed earlier with
   *   `terraform_data` (the default before the provider) moves to the
   *   provider in place, also when its code never named an engine: `moved`
   *   blocks carry each input over with the same id and no API write (but
   *   one for an input whose secret is an `AloomaSecret.fromEnv` without
   *   `version`: the old engine recorded no version, so it is written again).
   * - `terraform_data`: one `terraform_data` per input and a reconciler that
   *   runs the runtime from a provisioner (with `node` where Terraform runs).
   *   Needs Terraform 1.4+ (1.8+ when values are Terraform references): the
   *   choice where Terraform is older than 1.11.
   * - `null_resource`: the same with `@cdktf/provider-null`.
   *
   * @default 'provider'
   */
  readonly engine?: AloomaEngine;
  /**
   * Concurrent API writes during apply (1 to 64).
   *
   * @default - the runtime's default
   */
  readonly concurrency?: number;
  /**
   * Provider of the `null_resource` engine's resources.
   *
   * @default - the stack's default `null` provider, or a new one created under this construct
   */
  readonly nullProvider?: TerraformProvider;
}

/**
 * How a stack reaches Alooma and how it synthesizes: at most one per stack,
 * optional (without one, the stack uses the default engine, the provider,
 * with owner = the stack's name and the connection from the environment).
 * Credentials are named by environment variable or come from Terraform,
 * never given as plain values.
 *
 * With a provisioner engine, declaring a connection also declares the
 * stack's reconciler, so a stack whose last input was removed from the code
 * still deletes it on deploy (with the provider, Terraform destroys the
 * removed input's resource).
 */
export class AloomaConnection extends Construct {
  /** The connection of the stack containing `scope`, if one is declared. */
  public static of(scope: IConstruct): AloomaConnection | undefined {
    const connection = connectionOf(TerraformStack.of(scope))?.construct;
    return connection instanceof AloomaConnection ? connection : undefined;
  }

  /** The resource engine of the stack. */
  public readonly engine: AloomaEngine;
  /** Owner id recorded on the stack's inputs. */
  public readonly owner: string;
  /** The connection as the manifest records it. */
  public readonly spec: ConnectionSpec;
  /** Provider of the `null_resource` engine, when that engine is used. */
  public readonly nullProvider?: TerraformProvider;
  /** The API key from Terraform, when `props.apiKey` is set. */
  public readonly apiKey?: AloomaSecret;

  constructor(scope: Construct, id: string, props: AloomaConnectionProps = {}) {
    super(scope, id);
    checkCdkCore(this);
    const stack = TerraformStack.of(this);
    const existing = connectionOf(stack);
    if (existing) throw errors.duplicateConnection(this, existing.construct.node.path);

    this.engine =
      props.engine === undefined
        ? DEFAULT_ENGINE
        : checkOneOf(this, 'props.engine', props.engine, ENGINES);
    const earlier = firstDefaultEngineUser(stack);
    if (earlier !== undefined && this.engine !== DEFAULT_ENGINE)
      throw errors.connectionDeclaredLate(this, this.engine, earlier.node.path);
    if (this.engine === 'provider') checkProviderCredentials(this, props);
    if (props.nullProvider !== undefined && this.engine !== 'null_resource') {
      throw errors.conflictingProperties(
        this,
        'props.nullProvider is set but props.engine is not "null_resource"',
        'Set engine: "null_resource" or remove nullProvider',
      );
    }
    this.owner =
      props.owner === undefined ? stack.node.id : checkName(this, 'props.owner', props.owner);
    this.spec = {
      ...(props.apiUrl === undefined
        ? {}
        : { apiUrl: checkUrl(this, 'props.apiUrl', props.apiUrl) }),
      ...(props.account === undefined ? {} : { account: checkAccount(this, props.account) }),
      ...envName(this, 'usernameEnv', props.usernameEnv, EnvVar.USERNAME),
      ...envName(this, 'passwordEnv', props.passwordEnv, EnvVar.PASSWORD),
      ...envName(this, 'apiKeyEnv', props.apiKeyEnv, EnvVar.API_KEY),
      ...(props.apiKey === undefined ? {} : this.apiKeySpec(props)),
    };
    const concurrency =
      props.concurrency === undefined
        ? undefined
        : checkInteger(this, 'props.concurrency', props.concurrency, 1, MAX_CONCURRENCY);
    if (this.engine === 'null_resource')
      this.nullProvider = props.nullProvider ?? findOrCreateNullProvider(this, stack);

    this.apiKey = props.apiKey;
    registerConnection(stack, {
      terraformApiKey: this.apiKey?.fromTerraform ? this.apiKey : undefined,
      construct: this,
      engine: this.engine,
      nullProvider: this.nullProvider,
      spec: this.spec,
      owner: this.owner,
      concurrency,
    });
    // The provider engine has no reconciler: Terraform and the provider do its work.
    if (this.engine === 'provider') aloomaProviderOf(stack);
    else AloomaReconciler.of(stack);
  }

  private apiKeySpec(props: AloomaConnectionProps): Partial<ConnectionSpec> {
    const secret = checkSecret(this, 'props.apiKey', props.apiKey);
    if (props.apiKeyEnv !== undefined || props.usernameEnv !== undefined) {
      throw errors.conflictingProperties(
        this,
        'props.apiKey is set together with props.apiKeyEnv or props.usernameEnv',
        'Give the credentials one way: apiKey, or the environment variable names',
      );
    }
    // checkSecret has checked the variable name.
    if (!secret.fromTerraform) return { apiKeyEnv: secret.envName };
    return {
      apiKeyEnv: secret.toSecretRef(CONNECTION_SECRET_OWNER, 'apiKey').env,
      apiKeyFromTerraform: true,
    };
  }
}

/**
 * The provider reads the credentials of the runtime's variables
 * (`$ALOOMA_API_KEY`, or `$ALOOMA_USERNAME` + `$ALOOMA_PASSWORD`) or takes
 * an API key from Terraform; it cannot read variables of other names.
 */
function checkProviderCredentials(scope: IConstruct, props: AloomaConnectionProps): void {
  const renamed = (
    [
      ['usernameEnv', EnvVar.USERNAME],
      ['passwordEnv', EnvVar.PASSWORD],
      ['apiKeyEnv', EnvVar.API_KEY],
    ] as const
  ).filter(([prop, name]) => props[prop] !== undefined && props[prop] !== name);
  const apiKeyFromEnv =
    AloomaSecret.isAloomaSecret(props.apiKey) &&
    !props.apiKey.fromTerraform &&
    props.apiKey.envName !== EnvVar.API_KEY;
  if (renamed.length === 0 && !apiKeyFromEnv) return;
  throw errors.notOnProviderEngine(
    scope,
    `the provider reads the credentials from $${EnvVar.API_KEY}, or $${EnvVar.USERNAME} and $${EnvVar.PASSWORD}, not from variables of other names (${[...renamed.map(([p]) => `props.${p}`), ...(apiKeyFromEnv ? ['props.apiKey'] : [])].join(', ')})`,
    `Set those variables, or give the API key from Terraform (apiKey: AloomaSecret.fromTerraform(...))`,
  );
}

function checkAccount(scope: IConstruct, value: unknown): string {
  if (isReference(value)) return value as string;
  if (!isAccountName(value))
    throw errors.invalidProperty(scope, 'props.account', value, ACCOUNT_NAME_RULE);
  return value;
}

function envName(
  scope: IConstruct,
  prop: 'usernameEnv' | 'passwordEnv' | 'apiKeyEnv',
  value: string | undefined,
  defaultName: string,
): Partial<ConnectionSpec> {
  // The runtime applies the defaults, so the manifest only names variables the code chose.
  if (value === undefined || value === defaultName) return {};
  return { [prop]: checkEnvName(scope, `props.${prop}`, value) };
}

function findOrCreateNullProvider(scope: Construct, stack: TerraformStack): TerraformProvider {
  const existing = stack.node
    .findAll()
    .filter(TerraformProvider.isTerraformProvider)
    .find((p) => p.terraformGeneratorMetadata?.providerName === 'null' && p.alias === undefined);
  if (existing) return existing;
  const { provider } = loadNullProvider(scope);
  return new provider.NullProvider(scope, 'NullProvider');
}
