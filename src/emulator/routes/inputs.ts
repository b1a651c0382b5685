/**
 * Inputs: list, read one, create (validated, then stored) and update (the
 * body re-applied to the record as it is at write time).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { isPlainObject } from '../../alooma/json';
import { ForbiddenError, NotFoundError, ValidationError } from '../errors';
import { NodeCategory, isProtectedNode, renderPublicNode } from '../nodes';
import { assertMaskedSecretsStay, restoreMaskedSecrets } from '../secret-merge';
import {
  InputDraft,
  SourceValidationContext,
  SourceValidator,
  parseInputBody,
  validateConfiguration,
} from '../validation';
import { RestContext, sendJson } from './context';

/** `GET inputs`, `GET inputs/:id`, `POST plumbing/inputs` (and `POST inputs`), `PUT inputs/:id`. */
export function inputRoutes({ store, faults, sourceValidator }: RestContext) {
  return async (rest: FastifyInstance) => {
    rest.get('/inputs', { config: { statKey: 'GET inputs' } }, async (request, reply) =>
      sendJson(reply, store.inputsJson(request.aloomaAccount)),
    );

    // The official client's get_input_by_id / get_input_by_name: one input, as GET inputs holds it
    // (secrets masked; state, paused and stats are its task information).
    rest.get<{ Params: { id: string } }>(
      '/inputs/:id',
      { config: { statKey: 'GET inputs/:id' } },
      async (request, reply) => {
        const json = store.inputJson(request.aloomaAccount, request.params.id);
        if (json === undefined) throw new NotFoundError(`No input with id ${request.params.id}`);
        return sendJson(reply, json);
      },
    );

    const createInput = async (request: FastifyRequest<{ Querystring: { validate?: string } }>) => {
      const account = request.aloomaAccount;
      const draft = parseInputBody(request.body);
      const configuration = restoreMaskedSecrets(draft.configuration, undefined);
      const input = { ...draft, configuration };
      validateConfiguration(input);
      // Cheap early answer before a (possibly slow) source validation; the transaction re-checks.
      store.assertNameFree(account, input.name);
      const validate = request.query.validate !== 'false';
      if (validate) await validateSource(sourceValidator, input, { account });
      store.createInput(
        account,
        { ...input, validated: validate, visibleAt: Date.now() + faults.current.createDelayMs },
        request.aloomaActor,
      );
      // Like the service: no id; clients confirm creation by polling the structure for the name.
      return { status: 'created', name: input.name };
    };
    rest.post('/plumbing/inputs', { config: { statKey: 'POST plumbing/inputs' } }, createInput);
    rest.post('/inputs', { config: { statKey: 'POST inputs' } }, createInput);

    rest.put<{ Params: { id: string }; Querystring: { validate?: string } }>(
      '/inputs/:id',
      { config: { statKey: 'PUT inputs/:id' } },
      async (request, reply) => {
        const account = request.aloomaAccount;
        const id = request.params.id;
        const current = store.findNode(account, id);
        if (!current || current.category !== NodeCategory.INPUT)
          throw new NotFoundError(`No input with id ${id}`);
        if (isProtectedNode(current)) {
          throw new ForbiddenError(
            `${current.type} input '${current.name}' is managed by Alooma and cannot be modified`,
          );
        }
        const keepConfiguration =
          !isPlainObject(request.body) || request.body.configuration == null;
        const draft = parseInputBody(request.body, current);
        // Before anything else touches the stored secret: a mask whose destination changed is refused.
        if (!keepConfiguration)
          assertMaskedSecretsStay(draft.type, draft.configuration, current.configuration);
        const checked = {
          ...draft,
          configuration: restoreMaskedSecrets(draft.configuration, current.configuration),
        };
        validateConfiguration(checked);
        const validate = request.query.validate !== 'false';
        // With the stored node as `previous`, the validator may skip an edit that leaves the source
        // alone; a node never validated (created with validate=false) is validated in full.
        const previous = current.validated
          ? { name: current.name, type: current.type, configuration: current.configuration }
          : undefined;
        if (validate) await validateSource(sourceValidator, checked, { account, previous });

        const updated = store.updateInput(
          account,
          id,
          (latest) => {
            // Re-apply the body to the record as it is now: a concurrent write
            // (e.g. a password rotation) may have landed while we validated.
            if (!keepConfiguration)
              assertMaskedSecretsStay(draft.type, draft.configuration, latest.configuration);
            const configuration = keepConfiguration
              ? latest.configuration
              : restoreMaskedSecrets(draft.configuration, latest.configuration);
            validateConfiguration({ ...draft, configuration });
            return { name: draft.name, configuration, validated: validate };
          },
          Date.now(),
          request.aloomaActor,
        );
        return sendJson(reply, renderPublicNode(updated));
      },
    );
  };
}

async function validateSource(
  validator: SourceValidator,
  input: InputDraft,
  context: SourceValidationContext,
): Promise<void> {
  const result = await validator.validate(input, context);
  if (!result.ok) throw new ValidationError(result.message, result.field ?? 'configuration');
}
