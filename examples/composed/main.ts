/**
 * Example stack: Alooma inputs composed with the rest of the infrastructure.
 *
 * Every configuration property takes Terraform references: a variable per
 * environment, an attribute of another resource (known only after it is
 * created), and secrets that Terraform holds (a sensitive variable, an
 * ephemeral one). The stack uses the default engine, the Alooma provider:
 * secrets go through its write-only attributes, never into state or plan
 * output.
 *
 * Run it against the local emulator (`npm run emulator` in another shell):
 *
 *   cd examples/composed
 *   export TF_VAR_alooma_api_key=demo-key   # the key the provider gets from Terraform
 *   export TF_VAR_orders_db_password=...    TF_VAR_crm_token=...
 *   npx cdktf deploy --var environment=dev
 *
 * With a cloud provider the "other resource" is the real database, e.g.
 * `server: db.address, port: db.port` of an `aws_db_instance`, and
 * `AloomaSecret.fromTerraform(secret.secretString)` of a secrets manager.
 */
import { App, TerraformResource, TerraformStack, TerraformVariable, Token } from 'cdktf';
import { Construct } from 'constructs';
import {
  AloomaConnection,
  AloomaDatabaseInput,
  AloomaRestInput,
  AloomaSecret,
  ephemeralVariable,
} from '../../src/constructs';
import { EmulatorDefaults } from '../../src/runtime/protocol';

/** Inputs of one environment (dev, prod...) of a shop, wired to Terraform values. */
export class ComposedInputsStack extends TerraformStack {
  constructor(scope: Construct, id: string) {
    super(scope, id);

    const environment = new TerraformVariable(this, 'environment', {
      type: 'string',
      default: 'dev',
      description: 'Environment the inputs belong to: picks the database host.',
    });
    const batchSize = new TerraformVariable(this, 'batch_size', { type: 'number', default: 50000 });
    const apiKey = new TerraformVariable(this, 'alooma_api_key', {
      type: 'string',
      sensitive: true,
    });
    const dbPassword = new TerraformVariable(this, 'orders_db_password', {
      type: 'string',
      sensitive: true,
    });
    const crmToken = ephemeralVariable(this, 'crm_token', { type: 'string' });

    new AloomaConnection(this, 'Alooma', {
      apiUrl: process.env.ALOOMA_API_URL ?? EmulatorDefaults.URL,
      account: process.env.ALOOMA_ACCOUNT ?? EmulatorDefaults.ACCOUNT,
      apiKey: AloomaSecret.fromTerraform(apiKey.stringValue),
    });

    // Stands in for the database resource of a cloud provider so the example
    // runs offline: Terraform's built-in terraform_data, whose `output` is
    // known only after it is created.
    const database = new TerraformResource(this, 'OrdersDatabase', {
      terraformResourceType: 'terraform_data',
      terraformGeneratorMetadata: { providerName: 'terraform' },
    });
    database.addOverride('input', { address: `orders-${environment.stringValue}.db.internal` });

    const orders = new AloomaDatabaseInput(this, 'OrdersDb', {
      name: 'orders_db',
      source: {
        server: database.getStringAttribute('output.address'),
        port: 5432,
        database: 'shop',
        dbType: 'psql',
        user: 'alooma_reader',
        password: AloomaSecret.fromTerraform(dbPassword.stringValue),
      },
      batchSize: Token.asNumber(batchSize.numberValue),
      tables: { orders: 'xmin::text::bigint' },
    });
    orders.addTable('order_items', 'xmin::text::bigint');

    new AloomaRestInput(this, 'Crm', {
      name: 'crm_contacts',
      // Text and references mixed in one string.
      baseUrl: `https://crm-${environment.stringValue}.example.com/api/contacts`,
      username: 'alooma',
      // Ephemeral: never in state; bump the version to push a new token.
      password: AloomaSecret.fromTerraform(crmToken.stringValue, { ephemeral: true, version: '1' }),
    });
  }
}

if (require.main === module) {
  const app = new App();
  new ComposedInputsStack(app, 'shop-composed');
  app.synth();
}
