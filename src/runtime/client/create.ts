/**
 * The create-and-confirm protocol. The API answers a create without an id and
 * accepts several inputs with one name, so a create is confirmed by the
 * structure: the new input is a live input of the name whose id was not there
 * before the create (and that the caller's `isOurs` accepts, e.g. by its
 * ownership marker). A create is never blindly posted again:
 *
 * - a 429 never lands: it is retried as the retry policy says;
 * - a timeout (no answer in time) may still be landing, e.g. behind a slow
 *   source validation: the create is not posted again, the structure is
 *   polled for the new input until the create timeout;
 * - a 5xx or a connection reset may have landed: the structure is polled for
 *   the new input for the landing window; found, the create is done; not
 *   found, it is posted again as the retry policy says;
 * - a 409 or "already in use" after such a failure (an API that refuses a
 *   second input of a name) means the earlier attempt landed: it is awaited.
 *
 * Waits between attempts go through the one retry policy (retry.ts) and the
 * client's clock, as every other call's; the polling goes through the
 * client's structure poller (poller.ts), so concurrent creates share its
 * reads. The confirmation also hands back every live input of the name in
 * the read that showed the new one ({@link createAndSight}): a caller that
 * must know which input of a name came first (the provider) needs no read of
 * its own.
 */
import { AloomaError, AloomaErrorCode, AloomaValidationError, isCode } from './errors';
import { Sighting, StructurePoller } from './poller';
import { registerSecretsIn } from './redact';
import { isRetryable, withRetry } from './retry';
import { ResolvedClientConfig } from './config';
import { Transport } from './transport';
import { AloomaNode, NewInput } from './types';
import { isPlainObject } from '../../alooma/json';

/** Options of `AloomaClient.createInput`. */
export interface CreateInputOptions {
  /** Validate the source (`POST plumbing/inputs`); false uses `POST inputs?validate=false`. @default true */
  readonly validate?: boolean;
  /** How long to wait for the input to appear in the structure, in ms. @default the client's createTimeoutMs */
  readonly timeoutMs?: number;
  /**
   * Ids of the live inputs that already carry the new name. The API accepts
   * several inputs with one name and answers a create without an id, so the
   * new input is the one of that name whose id is not among these (as the
   * official client counts the nodes of the name before and after).
   * @default - read from the structure before the create
   */
  readonly existingIds?: ReadonlySet<string>;
  /**
   * Further test of a candidate, e.g. that its ownership marker is the
   * caller's: a create by someone else with the same name at the same moment
   * is then never taken for this one.
   * @default - any new input of the name
   */
  readonly isOurs?: (node: AloomaNode) => boolean;
}

/** What the create protocol needs of the client. */
export interface CreateContext {
  readonly config: ResolvedClientConfig;
  readonly transport: Transport;
  readonly poller: StructurePoller;
}

/**
 * Creates an input and resolves with it once it appears in the structure.
 * @throws AloomaValidationError for a spec without a name or type, before any request.
 * @throws AloomaCreateUnconfirmedError when it did not appear within the timeout.
 */
export async function createAndConfirm(
  context: CreateContext,
  spec: NewInput,
  options: CreateInputOptions = {},
): Promise<AloomaNode> {
  return (await createAndSight(context, spec, options)).node;
}

/**
 * As {@link createAndConfirm}, resolving with the new input and every live
 * input of its name in the structure read that showed it, oldest first.
 */
export async function createAndSight(
  { config, transport, poller }: CreateContext,
  spec: NewInput,
  options: CreateInputOptions = {},
): Promise<Sighting> {
  if (
    !isPlainObject(spec) ||
    typeof spec.name !== 'string' ||
    spec.name.trim() === '' ||
    typeof spec.type !== 'string'
  ) {
    throw new AloomaValidationError({
      code: AloomaErrorCode.VALIDATION,
      method: 'POST',
      path: 'plumbing/inputs',
      message: 'createInput needs {name, type, configuration} with a non-empty name and a type',
      hint: 'fix the input specification',
    });
  }
  const validate = options.validate ?? true;
  const path = validate ? 'plumbing/inputs' : 'inputs?validate=false';
  const timeoutMs = options.timeoutMs ?? config.createTimeoutMs;
  const body = { name: spec.name, type: spec.type, configuration: spec.configuration ?? {} };
  registerSecretsIn(body.configuration);
  const existing = options.existingIds ?? (await poller.idsNamed(spec.name));
  const isOurs = options.isOurs ?? (() => true);
  const isNew = (node: AloomaNode) => !existing.has(node.id) && isOurs(node);
  let mayHaveLanded = false;

  // 'posted': the API accepted it; 'landing': it may still appear; a sighting: it did.
  const outcome = await withRetry<'posted' | 'landing' | Sighting>(
    async (attempt) => {
      try {
        await transport.attempt('POST', path, { body, expect: 'any' }, attempt);
        return 'posted';
      } catch (error) {
        // Our earlier attempt landed (its answer was lost); it may not be visible yet.
        if (mayHaveLanded && isNameInUse(error)) return 'landing';
        if (isCode(error, AloomaErrorCode.TIMEOUT)) {
          // No answer in time: the service may still be working on it; posting again
          // would make a second input. Wait for it instead.
          transport.emit({ type: 'create_check', name: spec.name, found: false });
          return 'landing';
        }
        if (isRetryable(error) && !isCode(error, AloomaErrorCode.RATE_LIMITED)) {
          // A failure that may have landed (a 429 never does): look for it, for a while,
          // before the retry policy posts again; a second POST would be a second input.
          mayHaveLanded = true;
          const found = await poller
            .sighting(spec.name, config.landingWindowMs, isNew)
            .catch(() => undefined);
          transport.emit({ type: 'create_check', name: spec.name, found: found !== undefined });
          if (found) return found;
        }
        throw error;
      }
    },
    config.retry,
    {
      random: config.random,
      sleep: (ms) => config.clock.sleep(ms),
      onRetry: ({ attempt, delayMs, error }) =>
        transport.noteRetry('POST', path, attempt, delayMs, error),
    },
  );
  return typeof outcome === 'object' ? outcome : poller.sighting(spec.name, timeoutMs, isNew);
}

/** A 409, or a 400 saying the name is taken. */
function isNameInUse(error: unknown): boolean {
  if (!(error instanceof AloomaError)) return false;
  if (error.code === AloomaErrorCode.CONFLICT) return true;
  return (
    error.code === AloomaErrorCode.VALIDATION &&
    /already (in use|exists|taken)/i.test(error.message)
  );
}
