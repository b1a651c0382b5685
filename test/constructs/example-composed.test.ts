/**
 * The composed example (examples/composed) stays true: it synthesizes with
 * the default engine (the provider), passes validation, and wires every
 * reference and secret as documented.
 */
import { ComposedInputsStack } from '../../examples/composed/main';
import { testApp, validate } from './helpers';
import { Testing } from 'cdktf';

test('the composed example synthesizes to the provider with references and Terraform secrets', () => {
  const stack = new ComposedInputsStack(testApp(), 'shop-composed');
  expect(() => validate(stack)).not.toThrow();
  const json = JSON.parse(Testing.synth(stack));

  expect(json.resource.terraform_data.AloomaReconciler).toBeUndefined();
  expect(json.provider.alooma).toEqual([
    expect.objectContaining({ api_key: '${var.alooma_api_key}', owner: 'shop-composed' }),
  ]);
  const orders = json.resource.alooma_database_input.OrdersDb;
  expect(orders).toMatchObject({
    server: '${terraform_data.OrdersDatabase.output.address}',
    batch_size: '${var.batch_size}',
    password: '${var.orders_db_password}',
    password_version: '1',
    tables: { orders: 'xmin::text::bigint', order_items: 'xmin::text::bigint' },
  });
  const crm = json.resource.alooma_rest_input.Crm;
  expect(crm).toMatchObject({
    base_url: 'https://crm-${var.environment}.example.com/api/contacts',
    password: '${var.crm_token}', // an ephemeral variable: never in state
    password_version: '1',
  });
});
