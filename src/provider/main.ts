#!/usr/bin/env node
/**
 * The provider executable (bundled as dist/provider.js): Terraform starts
 * it; by hand it says what it is and exits 1.
 *
 * Being built (issue 18): the wire and the framework are here; the Alooma
 * resources (src/provider/resources/) are not yet, so this provider serves
 * its configuration block and no resource types.
 */
import { serveProvider, types } from './framework';

serveProvider({
  name: 'alooma',
  schema: {
    description: 'Alooma inputs as Terraform resources.',
    attributes: {
      owner: {
        type: types.string,
        required: true,
        description:
          'Who manages the inputs of this configuration (a stack or team name). Inputs of another owner are never taken over.',
      },
    },
  },
  resources: [],
});
