/**
 * The Alooma provider: its `provider "alooma"` block and its resources.
 * Credentials and URL come from the block or, when unset there, from the
 * same environment variables as the runtime (ALOOMA_API_URL,
 * ALOOMA_ACCOUNT, ALOOMA_API_KEY or ALOOMA_USERNAME + ALOOMA_PASSWORD, or
 * the variables `api_key_env`, `username_env` and `password_env` name),
 * read by the client's one reading (`clientOptionsFromEnv`, whose
 * `resolveCredentials` holds the default names); the client's http:// rule
 * applies (only loopback unless ALOOMA_ALLOW_INSECURE_HTTP=1).
 */
import { nameProblem } from '../alooma/names';
import { integerValue } from '../alooma/rules';
import { AloomaClient } from '../runtime/client/client';
import { clientOptionsFromEnv } from '../runtime/client/config';
import { EnvVar, resolveCredentials, type ConnectionSpec } from '../runtime/protocol';
import {
  errorDiagnostic,
  types,
  Unknown,
  type Diagnostic,
  type ProviderDefinition,
} from './framework';
import { INPUT_RESOURCES } from './resources';
import { withMovesFromTerraformData } from './resources/move-from-terraform-data';
import { concurrencyLimit, once, type AloomaProviderData } from './resources/provider-data';

/** Concurrent API writes of one provider process when `concurrency` is unset. */
export const DEFAULT_CONCURRENCY = 8;

/**
 * How long a create's confirming structure read waits for the creates that
 * follow it, when Terraform hands the provider its creates in a stream (a
 * create alone reads at once): one read then confirms a batch, not each
 * create one (bench 5d).
 */
export const CREATE_BATCH_WINDOW_MS = 1000;

/** Attribute names of the provider block. */
export const PROVIDER_ATTRIBUTES = {
  apiUrl: 'api_url',
  account: 'account',
  apiKey: 'api_key',
  username: 'username',
  password: 'password',
  apiKeyEnv: 'api_key_env',
  usernameEnv: 'username_env',
  passwordEnv: 'password_env',
  owner: 'owner',
  concurrency: 'concurrency',
} as const;

const P = PROVIDER_ATTRIBUTES;

/** A variable-name attribute and the attribute it stands in for. */
const CREDENTIAL_VARIABLES = [
  [P.apiKeyEnv, P.apiKey],
  [P.usernameEnv, P.username],
  [P.passwordEnv, P.password],
] as const;

/** What a name of an environment variable looks like (the constructs' rule). */
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** An attribute naming the variable that holds a credential, read at configure. */
function credentialVariable(what: string, fallback: string, valueAttribute: string) {
  return {
    type: types.string,
    optional: true,
    description: `Name of the environment variable of the provider process (Terraform passes its own environment) that holds ${what}, read when the provider is configured; unset: $${fallback}. The name is in the configuration and a saved plan; the value never is. Conflicts with ${valueAttribute}.`,
  };
}

/** The Alooma provider's definition (served by main.ts). */
export const aloomaProvider: ProviderDefinition<AloomaProviderData> = {
  name: 'alooma',
  schema: {
    description: 'Alooma inputs as Terraform resources.',
    attributes: {
      [P.apiUrl]: {
        type: types.string,
        optional: true,
        description: `Base URL of the Alooma API (https://app.alooma.com). Unset: $${EnvVar.API_URL}. http:// only to a loopback host (the emulator) unless $${EnvVar.ALLOW_INSECURE_HTTP}=1.`,
      },
      [P.account]: {
        type: types.string,
        optional: true,
        description: `Alooma account name. Unset: $${EnvVar.ACCOUNT}.`,
      },
      [P.apiKey]: {
        type: types.string,
        optional: true,
        sensitive: true,
        description: `API key (instead of username and password). Unset: the variable api_key_env names ($${EnvVar.API_KEY} by default).`,
      },
      [P.username]: {
        type: types.string,
        optional: true,
        description: `Login e-mail (with password). Unset: the variable username_env names ($${EnvVar.USERNAME} by default).`,
      },
      [P.password]: {
        type: types.string,
        optional: true,
        sensitive: true,
        description: `Login password (with username). Unset: the variable password_env names ($${EnvVar.PASSWORD} by default).`,
      },
      [P.apiKeyEnv]: credentialVariable('the API key', EnvVar.API_KEY, P.apiKey),
      [P.usernameEnv]: credentialVariable('the login e-mail', EnvVar.USERNAME, P.username),
      [P.passwordEnv]: credentialVariable('the login password', EnvVar.PASSWORD, P.password),
      [P.owner]: {
        type: types.string,
        required: true,
        description:
          'Who manages the inputs of this configuration (a stack or team name), recorded on every input. Inputs of another owner are never taken over.',
      },
      [P.concurrency]: {
        type: types.number,
        optional: true,
        description: `Most API writes in flight at once in one provider process. Default ${DEFAULT_CONCURRENCY}.`,
      },
    },
  },

  validate({ config }): Diagnostic[] {
    const out: Diagnostic[] = [];
    const owner = config[P.owner];
    if (!(owner instanceof Unknown)) {
      const problem = nameProblem(owner);
      if (problem)
        out.push(
          errorDiagnostic('Invalid provider configuration', `owner ${problem}.`, [
            { attribute: P.owner },
          ]),
        );
    }
    const concurrency = config[P.concurrency] ?? null;
    if (concurrency !== null && !(concurrency instanceof Unknown)) {
      const n = integerValue(concurrency);
      if (n === undefined || n < 1)
        out.push(
          errorDiagnostic(
            'Invalid provider configuration',
            'concurrency must be an integer >= 1.',
            [{ attribute: P.concurrency }],
          ),
        );
    }
    for (const [envAttribute, valueAttribute] of CREDENTIAL_VARIABLES) {
      const name = config[envAttribute] ?? null;
      if (name === null || name instanceof Unknown) continue;
      if (typeof name !== 'string' || !ENV_NAME.test(name))
        out.push(
          errorDiagnostic(
            'Invalid provider configuration',
            `${envAttribute} must name an environment variable (letters, digits and _, not starting with a digit).`,
            [{ attribute: envAttribute }],
          ),
        );
      else if ((config[valueAttribute] ?? null) !== null)
        out.push(
          errorDiagnostic(
            'Invalid provider configuration',
            `set ${valueAttribute} or ${envAttribute}, not both.`,
            [{ attribute: envAttribute }],
          ),
        );
    }
    if (
      (config[P.apiKey] ?? null) !== null &&
      ((config[P.username] ?? null) !== null || (config[P.password] ?? null) !== null)
    )
      out.push(
        errorDiagnostic(
          'Invalid provider configuration',
          'set api_key, or username and password, not both.',
          [{ attribute: P.apiKey }],
        ),
      );
    return out;
  },

  configure({ config }, { log }) {
    const text = (name: string): string | undefined => {
      const value = config[name];
      return typeof value === 'string' && value !== '' ? value : undefined;
    };
    const connection: ConnectionSpec = {
      apiUrl: text(P.apiUrl),
      account: text(P.account),
      apiKeyEnv: text(P.apiKeyEnv),
      usernameEnv: text(P.usernameEnv),
      passwordEnv: text(P.passwordEnv),
    };
    // The variables read, defaults filled in by the runtime's one rule (no environment is read here).
    const names = resolveCredentials({}, connection);
    // The block's credentials take the place of the variables' (the one reading stays the client's).
    const env: NodeJS.ProcessEnv = { ...process.env };
    if (text(P.apiKey) !== undefined) {
      env[names.apiKeyEnv] = text(P.apiKey);
      delete env[names.usernameEnv];
      delete env[names.passwordEnv];
    } else if (text(P.username) !== undefined || text(P.password) !== undefined) {
      delete env[names.apiKeyEnv];
      if (text(P.username) !== undefined) env[names.usernameEnv] = text(P.username);
      if (text(P.password) !== undefined) env[names.passwordEnv] = text(P.password);
    }
    const concurrency =
      typeof config[P.concurrency] === 'number'
        ? (config[P.concurrency] as number)
        : DEFAULT_CONCURRENCY;
    const client = new AloomaClient(
      clientOptionsFromEnv(env, connection, {
        // creates share their confirming reads; all `concurrency` waiting end the window
        poll: { batchWindowMs: CREATE_BATCH_WINDOW_MS, batchSize: concurrency },
        onEvent: (event) => {
          if (event.type === 'request')
            log.debug('alooma request', {
              method: event.method,
              path: event.path,
              status: event.status,
              ms: event.durationMs,
            });
          else if (event.type === 'retry')
            log.info('alooma retry', {
              method: event.method,
              path: event.path,
              code: event.code,
              delay_ms: event.delayMs,
            });
        },
      }),
    );
    return {
      client,
      owner: config[P.owner] as string,
      limitWrites: concurrencyLimit(concurrency),
      liveInputs: once(async () => {
        const inputs = await client.listInputs();
        log.debug('structure read', { inputs: inputs.length });
        return new Map(inputs.map((n) => [n.id, n]));
      }),
    };
  },

  resources: withMovesFromTerraformData(INPUT_RESOURCES),
};
