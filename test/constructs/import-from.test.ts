/**
 * `importFrom(id)`: engine "provider" renders an `import {}` block for the
 * input's provider resource (cdktf's TerraformResource.importFrom); the
 * provisioner engines, which adopt by name and owner, refuse it with the fix.
 */
import { Testing } from 'cdktf';
import {
  AloomaConnection,
  AloomaDatabaseInput,
  AloomaInput,
  AloomaSecret,
} from '../../src/constructs';
import type { AloomaEngine } from '../../src/constructs/connection';
import { testStack } from './helpers';

function hook(engine: AloomaEngine) {
  const stack = testStack();
  new AloomaConnection(stack, 'Alooma', { engine });
  return {
    stack,
    input: new AloomaInput(stack, 'Hook', { name: 'storefront_hook', type: 'RESTAPI' }),
  };
}

test('GIVEN engine provider WHEN importFrom(id) THEN the stack has an import block to the input resource', () => {
  const { stack, input } = hook('provider');
  input.importFrom('7e49ca53-0000');
  const synthesized = JSON.parse(Testing.synth(stack));
  expect(synthesized.import).toEqual([
    { id: '7e49ca53-0000', to: `alooma_input.${input.resource.friendlyUniqueId}` },
  ]);
});

test('GIVEN a typed input WHEN importFrom(id) THEN the import block targets its own resource type', () => {
  const stack = testStack();
  new AloomaConnection(stack, 'Alooma', { engine: 'provider' });
  const db = new AloomaDatabaseInput(stack, 'Orders', {
    name: 'orders_db',
    source: {
      server: 'db',
      port: 5432,
      database: 'shop',
      dbType: 'psql',
      user: 'reader',
      password: AloomaSecret.fromEnv('PG_PASSWORD', { version: '2' }),
    },
    tables: { orders: 'xmin::text::bigint' },
  });
  db.importFrom('db-1');
  const synthesized = JSON.parse(Testing.synth(stack));
  expect(synthesized.import).toEqual([
    { id: 'db-1', to: `alooma_database_input.${db.resource.friendlyUniqueId}` },
  ]);
});

test.each(['terraform_data', 'null_resource'] as const)(
  'GIVEN engine %s WHEN importFrom(id) THEN a construct error says the engine adopts by name, with the fix',
  (engine) => {
    const { input } = hook(engine);
    expect(() => input.importFrom('7e49ca53-0000')).toThrow(
      /stack\/Hook: importFrom\(\) needs engine "provider".*adopts an existing input by its name and ownership marker.*Remove the importFrom\(\) call.*or set engine: "provider" on the AloomaConnection \[conflicting_properties\]/,
    );
  },
);

test('GIVEN an empty id THEN importFrom throws invalid_property', () => {
  const { input } = hook('provider');
  expect(() => input.importFrom(' ')).toThrow(/importFrom\(id\).*\[invalid_property\]/);
});
