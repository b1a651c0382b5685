/**
 * The composed example (examples/composed) stays true: it synthesizes,
 * passes validation, and wires every reference and secret as documented.
 */
import { ComposedInputsStack } from '../../examples/composed/main';
import { AloomaReconciler } from '../../src/constructs';
import { testApp, validate } from './helpers';
import { Testing } from 'cdktf';

test('the composed example synthesizes with references and Terraform secrets', () => {
  const stack = new ComposedInputsStack(testApp(), 'shop-composed');
  expect(() => validate(stack)).not.toThrow();
  const json = JSON.parse(Testing.synth(stack));
  const reconciler = json.resource.terraform_data.AloomaReconciler;
  expect(reconciler.triggers_replace.references).toEqual({
    'crm_contacts/configuration/base_url':
      'https://crm-${var.environment}.example.com/api/contacts',
    'orders_db/configuration/batch_size': '${var.batch_size}',
    'orders_db/configuration/server': '${terraform_data.OrdersDatabase.output.address}',
  });
  expect(Object.keys(reconciler.triggers_replace.secrets_sha256)).toEqual(['orders_db/password']);
  const manifest = JSON.stringify(AloomaReconciler.of(stack).manifest());
  expect(manifest).not.toMatch(/var\.|TfToken/);
});
